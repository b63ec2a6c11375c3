namespace Coordination.Silo.Grains;

/// <summary>
/// Group commit inside one reentrant grain: changes made while a write is in flight are stored together
/// by the next write, so a grain that many callers change at once (a district's observation queue, a
/// day's erasure list) writes about once per storage round trip instead of once per caller, and each
/// caller still returns only once a write that began after its change has completed. A failed write
/// fails every caller waiting on it (the activation is then discarded: nothing acknowledged is kept
/// only in memory). Changes must be made synchronously, before <see cref="Stored"/> is awaited.
/// </summary>
internal sealed class CoalescedWrites(Func<Task> write)
{
    private long _changed;
    private long _durable;
    private Task? _inFlight;

    /// <summary>Records that the state changed, and completes once that change is stored.</summary>
    public async Task Stored()
    {
        var mine = ++_changed;
        while (_durable < mine)
        {
            if (_inFlight is null || _inFlight.IsCompleted)
            {
                _inFlight = Write(_changed);
            }

            await _inFlight;
        }
    }

    private async Task Write(long upTo)
    {
        await write();
        _durable = Math.Max(_durable, upTo);
    }
}
