using System.Runtime.CompilerServices;
using Coordination.Domain;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace Coordination.Silo.Persistence;

/// <summary>
/// Keeps every grain's memory in step with its storage, for every grain at once (also grains
/// written later): it wraps the storage provider itself rather than trusting each grain to do it.
/// <para>
/// Orleans does not roll back a grain's in-memory state when <c>WriteStateAsync</c> throws: the
/// change stays in memory although it was never stored, and a retry then finds it "already done"
/// (the defect the outside fault test found). So when a write or clear fails, the activation that
/// asked is marked faulted and deactivated: it writes nothing more (not even on deactivation), the
/// incoming-call filter refuses anything still routed to it, and the next call reloads the grain
/// from storage — which holds either the old state (the retry then does the work again) or, after
/// an ambiguous failure whose commit did land, the new one (the retry then finds it done, truly).
/// A grain never has to copy its state before a change, so the happy path costs nothing.
/// </para>
/// <para>
/// Failures leave as the project's own serializable exception (<see cref="ErrorKind.Unavailable"/>,
/// or <see cref="ErrorKind.Aborted"/> when another activation wrote first), with the driver's cause
/// as text: a driver's exception type cannot cross to another silo or a gateway. A store that is
/// full or read-only (<see cref="StoreFault"/>) is said as such, with where it lives, and drives
/// <see cref="StorageHealth"/>; every write that lands tells it the store is writable again.
/// </para>
/// <para>
/// In a cluster, a <see cref="WriteFence"/> goes first: a silo the cluster may have declared dead
/// while it stood still writes nothing before it has re-read the membership table.
/// </para>
/// </summary>
internal sealed class InStepGrainStorage(IGrainStorage inner, IGrainContextAccessor contexts, StorageHealth health, ILogger<InStepGrainStorage> logger, WriteFence? fence = null)
    : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
{
    // Activations whose memory may be ahead of storage. Weak, so a collected activation leaves no trace.
    private static readonly ConditionalWeakTable<IGrainContext, object> Faulted = [];

    /// <summary>True when this activation failed a write and is on its way out; nothing of its memory may be trusted.</summary>
    public static bool IsFaulted(IGrainContext? context) => context is not null && Faulted.TryGetValue(context, out _);

    public async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        try
        {
            await inner.ReadStateAsync(stateName, grainId, grainState);
        }
        catch (Exception e) when (e is not CoordinationException)
        {
            // A failed read fails the activation itself: nothing is in memory to fall out of step.
            throw Translate(e, "read", stateName, grainId);
        }
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Change(stateName, grainId, "write", () => inner.WriteStateAsync(stateName, grainId, grainState));

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) =>
        Change(stateName, grainId, "clear", () => inner.ClearStateAsync(stateName, grainId, grainState));

    public void Participate(ISiloLifecycle lifecycle)
    {
        if (inner is ILifecycleParticipant<ISiloLifecycle> participant)
        {
            participant.Participate(lifecycle);
        }
    }

    private async Task Change(string stateName, GrainId grainId, string what, Func<Task> change)
    {
        var context = contexts.GrainContext;
        if (IsFaulted(context))
        {
            throw new CoordinationException(ErrorKind.Unavailable, $"{Describe(stateName, grainId)} is reloading after a failed write; retry");
        }

        if (fence is not null)
        {
            await fence.BeforeWrite($"{what} {Describe(stateName, grainId)}");
        }

        try
        {
            await change();
            health.Written(StorageHealth.GrainState);
            StorageMetrics.Written(stateName);
        }
        catch (Exception e) when (e is not CoordinationException)
        {
            if (context is not null && context.GrainId == grainId)
            {
                Abandon(context, "a state write failed: memory may be ahead of storage");
            }

            throw Translate(e, what, stateName, grainId);
        }
    }

    /// <summary>
    /// Takes an activation out of service as a failed write of its own would: for a grain whose change
    /// was to be stored partly in another grain (an incident sealing a page) when that grain's write failed.
    /// </summary>
    public static void Abandon(IGrainContext context, string reason)
    {
        Faulted.AddOrUpdate(context, true);

        // Without an exception on purpose: Orleans rejects the calls queued behind a deactivation
        // that carries one (with that very exception), but forwards them to a fresh activation,
        // loaded from storage, when it carries none — which is what a retry needs.
        context.Deactivate(new DeactivationReason(DeactivationReasonCode.ApplicationRequested, reason));
    }

    private CoordinationException Translate(Exception e, string what, string stateName, GrainId grainId)
    {
        if (e is InconsistentStateException)
        {
            logger.LogWarning("Could not {What} {Grain}: another activation wrote first ({Cause})", what, Describe(stateName, grainId), e.Message);
            return new CoordinationException(ErrorKind.Aborted, $"{Describe(stateName, grainId)} was changed by another activation; nothing was kept, retry");
        }

        // A full or read-only store: said as such (which store, where), and health turns NOT_SERVING until a write lands.
        if (health.Refusal(e, StorageHealth.GrainState, $"{what} {Describe(stateName, grainId)}") is { } unwritable)
        {
            logger.LogWarning("Could not {What} {Grain}: {Refusal}", what, Describe(stateName, grainId), unwritable.Message);
            return unwritable;
        }

        logger.LogWarning(e, "Could not {What} {Grain}; the grain reloads on its next call", what, Describe(stateName, grainId));
        return new CoordinationException(ErrorKind.Unavailable, $"storage could not {what} {Describe(stateName, grainId)} ({Cause(e)}); nothing was kept, retry with the same id");
    }

    private static string Describe(string stateName, GrainId grainId) => $"{stateName} '{grainId.Key}'";

    // The innermost message says what the database said ("database or disk is full", "57P01: terminating connection ...").
    private static string Cause(Exception e)
    {
        while (e.InnerException is not null && e is AggregateException or System.Reflection.TargetInvocationException)
        {
            e = e.InnerException;
        }

        var text = e.Message.ReplaceLineEndings(" ");
        return text.Length > 200 ? text[..200] + "…" : text;
    }
}
