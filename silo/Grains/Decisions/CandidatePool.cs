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
    private int _count;

    public static readonly CandidatePool Empty = new();

    public int Count => _count;

    public ReadOnlySpan<Entry> Entries => _entries.AsSpan(0, _count);

    /// <summary>Adds the unit, or replaces what was held for it.</summary>
    public void Set(UnitContribution unit)
    {
        if (!_slots.TryGetValue(unit.UnitKey, out var slot))
        {
            if (_count == _entries.Length)
            {
                Array.Resize(ref _entries, _entries.Length * 2);
            }

            slot = _count++;
            _slots[unit.UnitKey] = slot;
        }

        _entries[slot] = new Entry(unit);
    }

    /// <summary>Where the unit's entry is, if it is here.</summary>
    public bool TryGetSlot(string unitKey, out int slot) => _slots.TryGetValue(unitKey, out slot);

    public void Remove(string unitKey)
    {
        if (!_slots.Remove(unitKey, out var slot))
        {
            return;
        }

        var last = --_count;
        if (slot != last)
        {
            _entries[slot] = _entries[last];
            _slots[_entries[slot].Unit.UnitKey] = slot;
        }

        _entries[last] = default;
    }

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
