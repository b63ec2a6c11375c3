namespace Coordination.Silo.Grains.Decisions;

/// <summary>
/// What a district has promised to other districts' requests that its figures do not show yet, so
/// that lending never takes it below its protected reserve however many requests arrive at once.
/// The figures lag a promise by a moment: units handed to a request still count as available until
/// they commit, and a commitment reaches the figures only when the unit reports it. Without this
/// ledger, concurrent requests all saw the same headroom (the outside test saw Innlandet lend 2 from
/// a headroom of 1). Two kinds of entry, one per unit:
/// <list type="bullet">
/// <item>a tentative one, when matching hands a unit to another district's request: it lasts as long
/// as matching holds the unit (<c>holdFor</c>) and counts against every other request;</item>
/// <item>a firm one, when the unit commits: it lasts until the unit's new figures arrive (then the
/// figures carry it) or, if the commitment failed, <c>firmFor</c> at most.</item>
/// </list>
/// Plain class, memory only: it is advisory for matching and decisive for <see cref="TryLend"/>,
/// which the district grain runs one call at a time.
/// </summary>
internal sealed class LendingLedger(TimeSpan holdFor, TimeSpan firmFor)
{
    private readonly Dictionary<string, (int Guards, DateTimeOffset Until, string? ForRequest)> _promised = new(StringComparer.Ordinal);

    public int Count => _promised.Count;

    /// <summary>Guards promised and not yet in the figures, except those promised to <paramref name="forRequest"/> and to <paramref name="exceptUnit"/>.</summary>
    public int Outstanding(DateTimeOffset now, string? forRequest = null, string? exceptUnit = null)
    {
        var guards = 0;
        foreach (var (unit, (unitGuards, until, request)) in _promised)
        {
            if (until > now && unit != exceptUnit && (request is null || request != forRequest))
            {
                guards += unitGuards;
            }
        }

        return guards;
    }

    /// <summary>Guards a request from another district may still be offered: what is available above the reserve and not promised to others.</summary>
    public int Lendable(int availableGuards, int reserveGuards, DateTimeOffset now, string forRequest) =>
        Math.Max(0, availableGuards - reserveGuards - Outstanding(now, forRequest));

    /// <summary>Matching handed the unit to another district's request.</summary>
    public void Hold(string unitKey, int guards, string forRequest, DateTimeOffset now)
    {
        if (!_promised.TryGetValue(unitKey, out var promise) || promise.ForRequest is not null || promise.Until <= now)
        {
            _promised[unitKey] = (guards, now + holdFor, forRequest);
        }
    }

    /// <summary>
    /// The decision: lend the unit only if what stays available, less every other promise, is still at
    /// least the reserve. <paramref name="availableGuards"/> still includes the unit itself.
    /// </summary>
    public bool TryLend(string unitKey, int guards, int availableGuards, int reserveGuards, DateTimeOffset now)
    {
        Forget(now);
        if (availableGuards - guards - Outstanding(now, exceptUnit: unitKey) < reserveGuards)
        {
            return false;
        }

        _promised[unitKey] = (guards, now + firmFor, null);
        return true;
    }

    /// <summary>The unit's figures changed (committed, or no longer available): they carry it from now on.</summary>
    public void Settled(string unitKey) => _promised.Remove(unitKey);

    private void Forget(DateTimeOffset now)
    {
        if (_promised.Count > 64)
        {
            foreach (var (unit, promise) in _promised)
            {
                if (promise.Until <= now)
                {
                    _promised.Remove(unit);
                }
            }
        }
    }
}
