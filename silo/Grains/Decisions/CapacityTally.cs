using Coordination.Domain;

namespace Coordination.Silo.Grains.Decisions;

/// <summary>
/// Running totals over a set of unit contributions. Replacing a unit's contribution subtracts the
/// old one and adds the new, so the totals always equal a recount of the latest contributions.
/// </summary>
internal sealed class CapacityTally
{
    private readonly Dictionary<string, UnitContribution> _units = new(StringComparer.Ordinal);

    // Per capability, the units a request may be offered (available, or on an exercise that yields
    // its units): matching looks at these only, not at every unit of the district.
    private readonly Dictionary<string, CandidatePool> _candidates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, (int Units, int Guards)> _byCapability = new(StringComparer.Ordinal);
    private readonly Dictionary<UnitStatus, (int Units, int Guards)> _byStatus = [];
    private int _availableUnits;
    private int _availableGuards;
    private int _staleUnits;

    // While a unit's contribution is replaced: the hold it had in the pools, kept for the newer one.
    private CandidatePool.Hold _carried;

    public IEnumerable<UnitContribution> Units => _units.Values;

    public int AvailableGuards => _availableGuards;

    public UnitContribution? Find(string unitKey) => _units.GetValueOrDefault(unitKey);

    /// <summary>Units with the capability that are available or on a yielding exercise.</summary>
    public CandidatePool CandidatesFor(string capability) =>
        _candidates.TryGetValue(capability, out var units) ? units : CandidatePool.Empty;

    /// <summary>Holds a unit for a request a moment, in every pool it is in (see <see cref="CandidateMatcher"/>).</summary>
    public void Hold(string unitKey, CandidatePool.Hold hold)
    {
        if (_units.TryGetValue(unitKey, out var unit))
        {
            foreach (var capability in unit.Capabilities)
            {
                CandidatesFor(capability).HoldFor(unitKey, hold);
            }
        }
    }

    /// <summary>Keeps the newest contribution per unit; returns false when this one is older than what is held.</summary>
    public bool Apply(UnitContribution contribution)
    {
        try
        {
            return Replace(contribution);
        }
        finally
        {
            _carried = default;
        }
    }

    private bool Replace(UnitContribution contribution)
    {
        if (_units.TryGetValue(contribution.UnitKey, out var held))
        {
            if (held.Version >= contribution.Version)
            {
                return false;
            }

            Add(held, -1);
        }

        if (contribution.Withdrawn)
        {
            _units.Remove(contribution.UnitKey);
        }
        else
        {
            _units[contribution.UnitKey] = contribution;
            Add(contribution, +1);
        }

        return true;
    }

    public CapacityFigures Figures(string districtId, DateTimeOffset asOf) => new(
        [districtId],
        ReferenceData.Current.Capabilities
            .Select(c => _byCapability.TryGetValue(c.Id, out var n) ? new CapabilityCapacity(c.Id, n.Units, n.Guards) : new CapabilityCapacity(c.Id, 0, 0))
            .ToArray(),
        Enum.GetValues<UnitStatus>()
            .Select(s => _byStatus.TryGetValue(s, out var n) ? new StatusCount(s, n.Units, n.Guards) : new StatusCount(s, 0, 0))
            .ToArray(),
        _availableUnits,
        _availableGuards,
        _units.Count,
        _staleUnits,
        asOf);

    private void Add(UnitContribution c, int sign)
    {
        var (units, guards) = _byStatus.GetValueOrDefault(c.Status);
        _byStatus[c.Status] = (units + sign, guards + (sign * c.Headcount));
        if (c.Stale)
        {
            _staleUnits += sign;
        }

        if (c.CountedAvailable || (c.OnYieldingExercise && !c.Stale))
        {
            foreach (var capability in c.Capabilities)
            {
                if (!_candidates.TryGetValue(capability, out var candidates))
                {
                    _candidates[capability] = candidates = new();
                }

                if (sign > 0)
                {
                    candidates.Set(c, _carried);
                }
                else if (candidates.Remove(c.UnitKey) is { For: not null } hold)
                {
                    _carried = hold;
                }
            }
        }

        if (!c.CountedAvailable)
        {
            return;
        }

        _availableUnits += sign;
        _availableGuards += sign * c.Headcount;
        foreach (var capability in c.Capabilities)
        {
            var (u, g) = _byCapability.GetValueOrDefault(capability);
            _byCapability[capability] = (u + sign, g + (sign * c.Headcount));
        }
    }
}
