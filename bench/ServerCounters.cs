using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Coordination.Silo.Persistence;

namespace Coordination.Bench;

/// <summary>
/// In the server process: what it has done since it started, for the figures' per-request profile
/// (grain calls by method, state writes and bytes by state, audit records, commits, allocations).
/// Read over HTTP at /bench/counters; the harness takes the difference over a run.
/// </summary>
internal sealed class ServerCounters : IIncomingGrainCallFilter, IDisposable
{
    // A box per name, added to atomically: a dictionary update per call would contend on its bucket locks
    // (it did, and showed up in the profile it was measuring).
    private readonly ConcurrentDictionary<string, StrongBox<long>> _counts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<System.Reflection.MethodInfo, StrongBox<long>> _calls = new();
    private readonly MeterListener _listener = new();

    // The longest group commit since the last snapshot, in microseconds (a maximum, not a count: reset by each read).
    private long _longestCommit;

    public ServerCounters()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == StorageMetrics.MeterName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var name = tags.Length == 0 ? instrument.Name : $"{instrument.Name}[{tags[0].Value}]";
            Interlocked.Add(ref _counts.GetOrAdd(name, _ => new StrongBox<long>()).Value, value);
        });
        _listener.SetMeasurementEventCallback<double>((_, milliseconds, _, _) =>
        {
            var micros = (long)(milliseconds * 1000);
            for (var seen = Interlocked.Read(ref _longestCommit); micros > seen; seen = Interlocked.Read(ref _longestCommit))
            {
                if (Interlocked.CompareExchange(ref _longestCommit, micros, seen) == seen)
                {
                    break;
                }
            }
        });
        _listener.Start();
    }

    public Task Invoke(IIncomingGrainCallContext context)
    {
        Interlocked.Increment(ref _calls.GetOrAdd(context.InterfaceMethod, _ => new StrongBox<long>()).Value);
        return context.Invoke();
    }

    public IReadOnlyDictionary<string, long> Snapshot()
    {
        var snapshot = new Dictionary<string, long>(StringComparer.Ordinal)
        {
            ["allocated.bytes"] = GC.GetTotalAllocatedBytes(precise: false),
            ["gc.gen0"] = GC.CollectionCount(0),
            ["gc.gen1"] = GC.CollectionCount(1),
            ["gc.gen2"] = GC.CollectionCount(2),
            ["gc.pause.us"] = (long)GC.GetTotalPauseDuration().TotalMicroseconds,
            ["commit.longest.us"] = Interlocked.Exchange(ref _longestCommit, 0),
        };
        foreach (var (name, count) in _counts)
        {
            snapshot[name] = Interlocked.Read(ref count.Value);
        }

        foreach (var (method, count) in _calls)
        {
            var name = $"grain.calls[{method.DeclaringType?.Name}.{method.Name}]";
            snapshot[name] = snapshot.GetValueOrDefault(name) + Interlocked.Read(ref count.Value);
        }

        return snapshot;
    }

    public void Dispose() => _listener.Dispose();
}
