namespace Coordination.Silo.Grains;

[GenerateSerializer, Alias("coordination.DistrictState")]
public sealed class DistrictState
{
    /// <summary>Companies with units homed here: enough to find every unit again after a restart.</summary>
    [Id(0)] public HashSet<string> Companies { get; set; } = new(StringComparer.Ordinal);

    [Id(1)] public HashSet<string> OpenIncidents { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The most recently closed incidents, newest last (bounded: older ones stay readable by id).</summary>
    [Id(2)] public List<string> RecentlyClosed { get; set; } = [];
}
