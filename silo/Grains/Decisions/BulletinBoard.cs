using Coordination.Domain;

namespace Coordination.Silo.Grains.Decisions;

/// <summary>
/// A district's bulletins: which are outstanding, which must be woken later to erase their text, and
/// which ended lately (stored, in <see cref="DistrictState"/>), and each outstanding one's board line
/// (memory only: bulletins send them again when woken). A line for a bulletin not outstanding here is
/// dropped, so a late one-way message never brings back an ended bulletin.
/// </summary>
internal sealed class BulletinBoard(DistrictState stored)
{
    /// <summary>Ended bulletins listed, newest first (older ones stay readable by id).</summary>
    public const int EndedListed = GrainTuning.ClosedIncidentsListed;

    private readonly Dictionary<string, BulletinSummary> _lines = new(StringComparer.Ordinal);

    /// <summary>The outstanding bulletins' lines, newest first.</summary>
    public IReadOnlyList<BulletinSummary> Lines =>
        [.. _lines.Values.OrderByDescending(l => stored.Bulletins.TryGetValue(l.Id, out var b) ? b.Order : 0)];

    /// <summary>Whether the district must keep waking bulletins (outstanding ones, or ones with an erasure ahead).</summary>
    public bool NeedWaking => stored.Bulletins.Values.Any(b => b.Outstanding || b.WakeAt is not null);

    /// <summary>Records where a bulletin stands; true when that is a change to store.</summary>
    public bool Recorded(string bulletinId, bool outstanding, DateTimeOffset? wakeAt)
    {
        var order = stored.Bulletins.TryGetValue(bulletinId, out var held) ? held.Order : ++stored.BulletinsListed;
        var entry = new DistrictBulletin(order, outstanding, wakeAt);
        if (held == entry)
        {
            return false;
        }

        stored.Bulletins[bulletinId] = entry;
        if (!outstanding)
        {
            _lines.Remove(bulletinId);
        }

        // Ended ones with nothing ahead of them are kept for listing, the newest few only.
        foreach (var old in stored.Bulletins.Where(b => !b.Value.Outstanding && b.Value.WakeAt is null).OrderByDescending(b => b.Value.Order).Skip(EndedListed).Select(b => b.Key).ToList())
        {
            stored.Bulletins.Remove(old);
        }

        return true;
    }

    /// <summary>Shows a bulletin's new line; false when it is dropped (not outstanding here, or no change).</summary>
    public bool Show(BulletinSummary line)
    {
        if (line.State != BulletinState.Outstanding || !(stored.Bulletins.TryGetValue(line.Id, out var b) && b.Outstanding))
        {
            return _lines.Remove(line.Id);
        }

        if (_lines.TryGetValue(line.Id, out var shown) && shown.Equals(line))
        {
            return false;
        }

        _lines[line.Id] = line;
        return true;
    }

    /// <summary>The bulletins to wake now: every outstanding one, and those whose erasure is due.</summary>
    public IReadOnlyList<string> Due(DateTimeOffset now) =>
        [.. stored.Bulletins.Where(b => b.Value.Outstanding || b.Value.WakeAt <= now).Select(b => b.Key)];

    public IReadOnlyList<string> List(bool includeEnded) =>
        [.. stored.Bulletins.Where(b => includeEnded || b.Value.Outstanding).OrderByDescending(b => b.Value.Order).Select(b => b.Key)];

    /// <summary>
    /// The companies with units inside <paramref name="area"/>, among <paramref name="units"/> homed in
    /// <paramref name="district"/> (withdrawn units never count).
    /// </summary>
    public static string[] CompaniesInArea(IEnumerable<UnitContribution> units, string district, BulletinArea area, string? capability, bool onDutyOnly) =>
        [.. units
            .Where(u => !u.Withdrawn
                && (!onDutyOnly || u.Status is UnitStatus.Available or UnitStatus.Committed or UnitStatus.EnRoute or UnitStatus.OnScene)
                && (capability is null || u.Capabilities.Contains(capability, StringComparer.Ordinal))
                && area.Contains(u.Position, district))
            .Select(u => UnitKey.Parse(u.UnitKey).CompanyId)
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)];
}
