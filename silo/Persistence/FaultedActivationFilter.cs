using Coordination.Domain;

namespace Coordination.Silo.Persistence;

/// <summary>
/// Two things about a storage fault that only a call filter sees:
/// <list type="bullet">
/// <item>a call that still reaches an activation whose state write failed (it is deactivating and its
/// memory may be ahead of storage) is refused with UNAVAILABLE, so its retry reaches a fresh activation
/// loaded from storage — Orleans forwards most such calls itself; this closes the gap for calls
/// already queued or interleaved when the write failed;</item>
/// <item>Orleans wraps whatever a storage provider throws in its own <see cref="OrleansException"/>; the
/// project's exception inside (see <see cref="InStepGrainStorage"/>) is what leaves the grain, so the
/// caller, on any silo or gateway, gets a status it can act on.</item>
/// </list>
/// </summary>
internal sealed class FaultedActivationFilter : IIncomingGrainCallFilter
{
    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (InStepGrainStorage.IsFaulted(context.TargetContext))
        {
            return Task.FromException(new CoordinationException(ErrorKind.Unavailable, $"{context.TargetId} is reloading after a failed write; retry"));
        }

        var call = context.Invoke();
        return call.IsCompletedSuccessfully ? call : Unwrapped(call);
    }

    private static async Task Unwrapped(Task call)
    {
        try
        {
            await call;
        }
        catch (OrleansException e) when (e.InnerException is CoordinationException storage)
        {
            throw storage;
        }
    }
}
