using Coordination.Domain;

namespace Coordination.Silo.Grains.Decisions;

/// <summary>
/// The units of one capability that a request may be offered in one district, kept in one array of
/// small entries with their positions copied in. Every capacity request ranks all of them
/// (<see cref="CandidateMatcher"/>), and walking a district's few thousand unit objects scattered
/// over the heap was, measured, the largest single cost of a request: memory waits, not arithmetic.
/// Reading this array in order costs a few microseconds. Order is not kept (a removal moves the
/// last entry into the gap); the matcher ranks, so it does not need it.
/// </summary>
internal sealed class CandidatePool
{
    private readonly Dictionary<string, int> _slots = new(StringComparer.Ordinal);
    private Entry[] _entries = new Entry[16];

    // Beside each entry, the request its unit is held for a moment (see CandidateMatcher): ranking reads
    // it by slot, only for the few units good enough to make the list, instead of looking every hold up
    // by key for every request.
    private Hold[] _holds = new Hold[16];
    private int _count;

    public static readonly CandidatePool Empty = new();

    public int Count => _count;

    public ReadOnlySpan<Entry> Entries => _entries.AsSpan(0, _count);

    /// <summary>Adds the unit, or replaces what was kept for it (its hold stays). A unit added anew takes <paramref name="carried"/> as its hold.</summary>
    public void Set(UnitContribution unit, Hold carried = default)
    {
        if (!_slots.TryGetValue(unit.UnitKey, out var slot))
        {
            if (_count == _entries.Length)
            {
                Array.Resize(ref _entries, _entries.Length * 2);
                Array.Resize(ref _holds, _entries.Length);
            }

            slot = _count++;
            _slots[unit.UnitKey] = slot;
            _holds[slot] = carried;
        }

        _entries[slot] = new Entry(unit);
    }

    /// <summary>Holds the unit for a request until a moment, if it is here.</summary>
    public void HoldFor(string unitKey, Hold hold)
    {
        if (_slots.TryGetValue(unitKey, out var slot))
        {
            _holds[slot] = hold;
        }
    }

    /// <summary>Whether the unit in this slot is held for another request than this one at this moment.</summary>
    public bool HeldForAnother(int slot, string forRequest, long nowTicks)
    {
        ref readonly var hold = ref _holds[slot];
        return hold.For is not null && hold.UntilTicks > nowTicks && !string.Equals(hold.For, forRequest, StringComparison.Ordinal);
    }

    /// <summary>Where the unit's entry is, if it is here.</summary>
    public bool TryGetSlot(string unitKey, out int slot) => _slots.TryGetValue(unitKey, out slot);

    /// <summary>Removes the unit; returns the hold it had (for a unit replaced by its own newer contribution).</summary>
    public Hold Remove(string unitKey)
    {
        if (!_slots.Remove(unitKey, out var slot))
        {
            return default;
        }

        var hold = _holds[slot];
        var last = --_count;
        if (slot != last)
        {
            _entries[slot] = _entries[last];
            _holds[slot] = _holds[last];
            _slots[_entries[slot].Unit.UnitKey] = slot;
        }

        _entries[last] = default;
        _holds[last] = default;
        return hold;
    }

    /// <summary>A unit held for a request (<c>incident/request</c>) until a moment (ticks, UTC); the default holds nothing.</summary>
    public readonly record struct Hold(long UntilTicks, string? For);

    /// <summary>A unit and what ranking reads of it, side by side.</summary>
    public readonly struct Entry(UnitContribution unit)
    {
        public readonly double Latitude = unit.Position?.Latitude ?? double.NaN;
        public readonly double Longitude = unit.Position?.Longitude ?? double.NaN;
        public readonly bool Available = unit.CountedAvailable;
        public readonly UnitContribution Unit = unit;

        public bool HasPosition => !double.IsNaN(Latitude);
    }
}
