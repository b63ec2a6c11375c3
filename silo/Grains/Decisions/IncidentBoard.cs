using Coordination.Domain;

namespace Coordination.Silo.Grains.Decisions;

/// <summary>
/// A district's list of incidents: which are open and which closed lately (stored, in
/// <see cref="DistrictState"/>, so open incidents are woken after a restart), and the board line each
/// open incident last sent (memory only: incidents send them again when woken). A line from an
/// incident that is not open here, or older than the one shown, is dropped, so a late one-way
/// message never brings back a closed incident or an outdated figure.
/// </summary>
internal sealed class IncidentBoard(string districtId, DistrictState stored)
{
    /// <summary>Closed incidents listed, newest first; older ones stay readable by id.</summary>
    public const int ClosedListed = GrainTuning.ClosedIncidentsListed;

    private readonly Dictionary<string, IncidentSummary> _lines = new(StringComparer.Ordinal);

    // The lines in board order, kept until a line changes: dashboards and the national view read the
    // board many times a second under load, and a sort per read was a visible share of allocations.
    private IReadOnlyList<IncidentSummary>? _ordered;

    public IReadOnlyCollection<string> Open => stored.OpenIncidents;

    /// <summary>The open incidents' lines in board order (most urgent first, then the oldest).</summary>
    public IReadOnlyList<IncidentSummary> Lines => _ordered ??= IncidentSummary.BoardOrder(_lines.Values);

    /// <summary>Lists an incident as open; true when that is a change to store.</summary>
    public bool Opened(string incidentId) => stored.OpenIncidents.Add(incidentId);

    /// <summary>
    /// Takes an incident off the board and moves it to the recently closed (at most <see cref="ClosedListed"/>).
    /// <c>LineRemoved</c>: the board shows something else now; <c>Stored</c>: the lists changed and must be written.
    /// </summary>
    public (bool LineRemoved, bool Stored) Closed(string incidentId)
    {
        var lineRemoved = _lines.Remove(incidentId);
        if (lineRemoved)
        {
            _ordered = null;
        }

        if (!stored.OpenIncidents.Remove(incidentId))
        {
            return (lineRemoved, false);
        }

        stored.RecentlyClosed.Add(incidentId);
        if (stored.RecentlyClosed.Count > ClosedListed)
        {
            stored.RecentlyClosed.RemoveAt(0);
        }

        return (lineRemoved, true);
    }

    /// <summary>Shows an incident's new line; false when it is dropped (not an open incident of this district, older than shown, or no change).</summary>
    public bool Show(IncidentSummary line)
    {
        if (line.District == districtId && stored.OpenIncidents.Contains(line.IncidentId)
            && (!_lines.TryGetValue(line.IncidentId, out var shown) || shown.Revision <= line.Revision) && shown != line)
        {
            _lines[line.IncidentId] = line;
            _ordered = null;
            return true;
        }

        return false;
    }

    /// <summary>The open incidents by id, then (when asked) the recently closed, newest first.</summary>
    public IReadOnlyList<string> List(bool includeClosed) => includeClosed
        ? [.. stored.OpenIncidents.Order(StringComparer.Ordinal), .. Enumerable.Reverse(stored.RecentlyClosed)]
        : [.. stored.OpenIncidents.Order(StringComparer.Ordinal)];
}
