namespace Coordination.Domain;

[GenerateSerializer, Immutable, Alias("coordination.CapabilityCapacity")]
public sealed record CapabilityCapacity(
    [property: Id(0)] string Capability,
    [property: Id(1)] int AvailableUnits,
    [property: Id(2)] int AvailableGuards);

[GenerateSerializer, Immutable, Alias("coordination.StatusCount")]
public sealed record StatusCount(
    [property: Id(0)] UnitStatus Status,
    [property: Id(1)] int Units,
    [property: Id(2)] int Guards);

/// <summary>
/// Live capacity of a district (or of several summed): what is available now per capability, and
/// how all registered units are spread over the statuses. Capabilities and statuses with nothing in
/// them are still listed, so a consumer never has to guess whether a missing row means zero.
/// </summary>
[GenerateSerializer, Immutable, Alias("coordination.CapacityFigures")]
public sealed record CapacityFigures(
    [property: Id(0)] IReadOnlyList<string> Districts,
    [property: Id(1)] IReadOnlyList<CapabilityCapacity> ByCapability,
    [property: Id(2)] IReadOnlyList<StatusCount> ByStatus,
    [property: Id(3)] int AvailableUnits,
    [property: Id(4)] int AvailableGuards,
    [property: Id(5)] int RegisteredUnits,
    [property: Id(6)] int StaleUnits,
    [property: Id(7)] DateTimeOffset AsOf)
{
    /// <summary>The same counts (the time they were taken aside): nothing a dashboard would show differently.</summary>
    public bool SameCountsAs(CapacityFigures other) =>
        RegisteredUnits == other.RegisteredUnits && StaleUnits == other.StaleUnits && AvailableUnits == other.AvailableUnits
        && AvailableGuards == other.AvailableGuards && ByCapability.SequenceEqual(other.ByCapability) && ByStatus.SequenceEqual(other.ByStatus);

    public static CapacityFigures Sum(IReadOnlyList<CapacityFigures> parts, DateTimeOffset asOf)
    {
        var byCapability = ReferenceData.Current.Capabilities
            .Select(c => new CapabilityCapacity(
                c.Id,
                parts.Sum(p => p.ByCapability.FirstOrDefault(x => x.Capability == c.Id)?.AvailableUnits ?? 0),
                parts.Sum(p => p.ByCapability.FirstOrDefault(x => x.Capability == c.Id)?.AvailableGuards ?? 0)))
            .ToArray();
        var byStatus = Enum.GetValues<UnitStatus>()
            .Select(s => new StatusCount(
                s,
                parts.Sum(p => p.ByStatus.FirstOrDefault(x => x.Status == s)?.Units ?? 0),
                parts.Sum(p => p.ByStatus.FirstOrDefault(x => x.Status == s)?.Guards ?? 0)))
            .ToArray();
        return new CapacityFigures(
            parts.SelectMany(p => p.Districts).Distinct().ToArray(),
            byCapability,
            byStatus,
            parts.Sum(p => p.AvailableUnits),
            parts.Sum(p => p.AvailableGuards),
            parts.Sum(p => p.RegisteredUnits),
            parts.Sum(p => p.StaleUnits),
            asOf);
    }
}
