using System.Diagnostics;
using Coordination.Domain;
using Microsoft.Extensions.Logging;

namespace Coordination.Silo.Persistence;

/// <summary>
/// Keeps a silo that the cluster may have declared dead from writing grain state. A frozen silo
/// (SIGSTOP, a VM stall, a long GC pause) is voted out in seconds and its grains come back on the other
/// silos; when it runs again its timers are overdue and fire at once — heartbeat flushes, for one —
/// before Orleans has re-read the membership table and stopped the process. Storage versions refuse
/// those writes only for grains another silo has written since; for a grain that was merely read
/// elsewhere, the late write would land, and the activation elsewhere would then hold state that is
/// no longer what is stored.
/// <para>
/// So a thread of its own ticks every <see cref="TickEvery"/>. When it finds its own sleep took
/// longer than <see cref="StallAfter"/> (the whole process stood still, or was starved that long), or
/// when a writer finds it has not ticked for that long (the writer ran first after the stall), the next
/// write first re-reads the membership table; a silo that finds itself dead there refuses the write
/// (Orleans then stops the process). The same check refuses writes in the seconds between Orleans
/// learning the silo is dead and the process exiting. Normally a write costs two memory reads here.
/// What it cannot cover is a write already past this check when the process froze: the storage's
/// version check is the guard for that one.
/// </para>
/// </summary>
internal sealed class WriteFence : IDisposable
{
    public static readonly TimeSpan TickEvery = TimeSpan.FromMilliseconds(250);

    private readonly IClusterMembershipService _membership;
    private readonly ILocalSiloDetails _silo;
    private readonly ILogger<WriteFence> _logger;
    private readonly long _stallTicks;
    private readonly Thread _watchdog;
    private volatile bool _stopped;

    // Stopwatch timestamp of the watchdog's last tick; written after _stalls, so a writer that sees a
    // fresh tick also sees the stall that tick found.
    private long _lastTick = Stopwatch.GetTimestamp();
    private long _stalls;
    private long _confirmed;

    public WriteFence(IClusterMembershipService membership, ILocalSiloDetails silo, TimeSpan stallAfter, ILogger<WriteFence> logger)
    {
        _membership = membership;
        _silo = silo;
        _logger = logger;
        StallAfter = stallAfter;
        _stallTicks = (long)(stallAfter.TotalSeconds * Stopwatch.Frequency);
        _watchdog = new Thread(Watch) { IsBackground = true, Name = "coordination-write-fence" };
        _watchdog.Start();
    }

    /// <summary>A stall longer than this makes the next write re-read membership first.</summary>
    public TimeSpan StallAfter { get; }

    /// <summary>Returns when this silo may write; throws UNAVAILABLE when the cluster declared it dead.</summary>
    public ValueTask BeforeWrite(string what)
    {
        // Tick first, then stalls: see _lastTick.
        var stale = Stopwatch.GetTimestamp() - Volatile.Read(ref _lastTick) > _stallTicks;
        var stalls = Volatile.Read(ref _stalls);
        if (IsDeclaredDead())
        {
            return ValueTask.FromException(Dead(what));
        }

        return stale || stalls != Volatile.Read(ref _confirmed) ? Confirm(what, stalls) : ValueTask.CompletedTask;
    }

    private async ValueTask Confirm(string what, long stalls)
    {
        // A fresh read of the table. When this silo is dead there, Orleans stops the process from
        // within this read; the check after it covers the moments before.
        await _membership.Refresh();
        if (IsDeclaredDead())
        {
            throw Dead(what);
        }

        long confirmed;
        while ((confirmed = Volatile.Read(ref _confirmed)) < stalls && Interlocked.CompareExchange(ref _confirmed, stalls, confirmed) != confirmed)
        {
        }
    }

    private bool IsDeclaredDead() => _membership.CurrentSnapshot.GetSiloStatus(_silo.SiloAddress) == SiloStatus.Dead;

    private CoordinationException Dead(string what)
    {
        _logger.LogError("Refused to {What}: the cluster declared this silo dead while it was not running; it stops", what);
        return new CoordinationException(ErrorKind.Unavailable, "this silo was declared dead by the cluster and is stopping; nothing was kept, retry with the same id");
    }

    private void Watch()
    {
        var sleepTicks = (long)(TickEvery.TotalSeconds * Stopwatch.Frequency);
        while (!_stopped)
        {
            Thread.Sleep(TickEvery);
            var now = Stopwatch.GetTimestamp();
            var slept = now - Volatile.Read(ref _lastTick);
            if (slept - sleepTicks > _stallTicks)
            {
                Interlocked.Increment(ref _stalls);
                _logger.LogWarning("This silo stood still for {Stall}; its next write re-reads the membership table first", TimeSpan.FromSeconds((double)slept / Stopwatch.Frequency));
            }

            Volatile.Write(ref _lastTick, now);
        }
    }

    public void Dispose() => _stopped = true;
}
