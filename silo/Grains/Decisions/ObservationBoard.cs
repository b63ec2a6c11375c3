using Coordination.Domain;

namespace Coordination.Silo.Grains.Decisions;

/// <summary>
/// The open observations a district's dashboards show, in queue order (needing police now first,
/// then the longest waiting). Memory only: the queue sends every open line again when the district
/// resumes it. A line replaces an older version of itself only; a closed one leaves the board, and
/// its version is remembered for a while so a late copy of an older line does not bring it back.
/// Bounded: beyond <see cref="Shown"/> the routine ones reported longest ago give way (the queue
/// still lists them).
/// </summary>
internal sealed class ObservationBoard
{
    public const int Shown = GrainTuning.ObservationsOnBoard;

    private readonly Dictionary<string, ObservationLine> _open = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _closed = new(StringComparer.Ordinal);
    private readonly Queue<string> _closedOrder = new();
    private IReadOnlyList<ObservationLine>? _lines = [];

    public IReadOnlyList<ObservationLine> Lines => _lines ??=
        [.. _open.Values.OrderByDescending(l => l.NeedsPoliceNow).ThenBy(l => l.ReportedAt).ThenBy(l => l.Id, StringComparer.Ordinal)];

    /// <summary>Takes in a line; true when the board shows something different.</summary>
    public bool Show(ObservationLine line)
    {
        if ((_open.TryGetValue(line.Id, out var held) && held.Version >= line.Version)
            || (_closed.TryGetValue(line.Id, out var closed) && closed >= line.Version))
        {
            return false;
        }

        if (!line.Open)
        {
            Closed(line);
            return Changed(_open.Remove(line.Id));
        }

        _open[line.Id] = line;
        if (_open.Count > Shown)
        {
            var least = _open.Values.OrderBy(l => l.NeedsPoliceNow).ThenBy(l => l.ReportedAt).ThenBy(l => l.Id, StringComparer.Ordinal).First();
            _open.Remove(least.Id);
            return Changed(least.Id != line.Id);
        }

        return Changed(true);
    }

    /// <summary>Of <paramref name="lines"/>, those a board would keep: what a queue sends its district again.</summary>
    public static IReadOnlyList<ObservationLine> Kept(IEnumerable<ObservationLine> lines) =>
        [.. lines.OrderByDescending(l => l.NeedsPoliceNow).ThenByDescending(l => l.ReportedAt).Take(Shown)];

    private void Closed(ObservationLine line)
    {
        if (!_closed.ContainsKey(line.Id))
        {
            _closedOrder.Enqueue(line.Id);
            if (_closedOrder.Count > Shown)
            {
                _closed.Remove(_closedOrder.Dequeue());
            }
        }

        _closed[line.Id] = line.Version;
    }

    private bool Changed(bool changed)
    {
        if (changed)
        {
            _lines = null;
        }

        return changed;
    }
}
