using System.Collections.Concurrent;
using Coordination.Silo.Persistence;
using Orleans.Storage;

namespace Coordination.Tests.Infrastructure;

/// <summary>
/// Fails chosen grain-state writes on demand. It sits between the real storage provider and the
/// project's <see cref="InStepGrainStorage"/>, so a failure here takes exactly the path a database
/// fault takes (connection reset, restart, full disk), and it covers every grain, also ones written
/// later. A rule matches a state name (the grain's <c>[PersistentState]</c> name: unit, company,
/// district, incident, timeline) and, optionally, part of the grain's key.
/// </summary>
public sealed class StorageFaults
{
    private readonly ConcurrentQueue<Rule> _rules = new();
    private readonly ConcurrentQueue<SeenWrite> _seen = new();
    private int _failed;

    /// <summary>Every grain-state write that reached this layer, in order, and whether it was marked a background write.</summary>
    public IReadOnlyCollection<SeenWrite> Seen => _seen;

    /// <summary>The layer to register in a silo's services.</summary>
    public GrainStorageLayer Layer => new(inner => new FailingStorage(inner, this));

    /// <summary>Writes that were failed so far.</summary>
    public int Failed => Volatile.Read(ref _failed);

    /// <summary>
    /// Fails the next <paramref name="times"/> writes of <paramref name="stateName"/> whose key contains
    /// <paramref name="keyContains"/>. With <paramref name="afterStoring"/> the write is stored and the
    /// failure comes after it (the commit landed but the answer was lost): the grain cannot know which.
    /// The first <paramref name="skip"/> matching writes go through; <paramref name="delay"/> makes the failure slow, so calls queue behind it.
    /// </summary>
    public void FailNextWrite(string stateName, string? keyContains = null, int times = 1, bool afterStoring = false, int skip = 0, TimeSpan delay = default) =>
        _rules.Enqueue(new Rule(stateName, keyContains, afterStoring) { Remaining = times, Skip = skip, Delay = delay });

    /// <summary>
    /// The next matching write never finishes (a silo that stops answering in the middle of a command):
    /// the returned task completes when a write reaches it, so a test can kill the silo right then.
    /// </summary>
    public Task HangNextWrite(string stateName, string keyContains, int skip = 0)
    {
        var rule = new Rule(stateName, keyContains, false) { Remaining = 1, Skip = skip, Hangs = true };
        _rules.Enqueue(rule);
        return rule.Reached.Task;
    }

    /// <summary>Every write fails until <see cref="Heal"/> (the database is down).</summary>
    public void FailAllWrites() => _rules.Enqueue(new Rule(null, null, false) { Remaining = int.MaxValue });

    public void Heal() => _rules.Clear();

    private Rule? Match(string stateName, GrainId grainId, out bool afterStoring)
    {
        foreach (var rule in _rules)
        {
            if ((rule.StateName is null || rule.StateName == stateName)
                && (rule.KeyContains is null || grainId.Key.ToString()!.Contains(rule.KeyContains, StringComparison.Ordinal))
                && Interlocked.Decrement(ref rule.Skip) < 0
                && Interlocked.Decrement(ref rule.Remaining) >= 0)
            {
                Interlocked.Increment(ref _failed);
                afterStoring = rule.AfterStoring;
                return rule;
            }
        }

        afterStoring = false;
        return null;
    }

    public sealed record SeenWrite(string StateName, string Key, bool Background);

    private sealed record Rule(string? StateName, string? KeyContains, bool AfterStoring)
    {
        public int Remaining;

        // Matching writes let through before the first failure (to fail the second write of a command, say).
        public int Skip;

        public bool Hangs { get; init; }

        public TimeSpan Delay { get; init; }

        public TaskCompletionSource Reached { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private sealed class FailingStorage(IGrainStorage inner, StorageFaults faults) : IGrainStorage, ILifecycleParticipant<ISiloLifecycle>
    {
        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ReadStateAsync(stateName, grainId, grainState);

        public async Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
        {
            faults._seen.Enqueue(new SeenWrite(stateName, grainId.Key.ToString()!, BackgroundWrite.IsCurrent));
            if (faults.Match(stateName, grainId, out var afterStoring) is { } rule)
            {
                rule.Reached.TrySetResult();
                if (rule.Hangs)
                {
                    await Task.Delay(Timeout.Infinite);
                }

                await Task.Delay(rule.Delay);

                if (afterStoring)
                {
                    // Stored under a copy of the state's version, so the grain's own copy keeps the old one, as after a lost answer.
                    await inner.WriteStateAsync(stateName, grainId, new GrainState<T>(grainState.State, grainState.ETag));
                }

                // What a driver throws when the connection drops; a type no other silo could deserialize.
                throw new IOException($"injected storage fault writing {stateName} {grainId.Key}");
            }

            await inner.WriteStateAsync(stateName, grainId, grainState);
        }

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState) => inner.ClearStateAsync(stateName, grainId, grainState);

        public void Participate(ISiloLifecycle lifecycle)
        {
            if (inner is ILifecycleParticipant<ISiloLifecycle> participant)
            {
                participant.Participate(lifecycle);
            }
        }
    }
}
