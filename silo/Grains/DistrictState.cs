namespace Coordination.Silo.Grains;

[GenerateSerializer, Alias("coordination.DistrictState")]
public sealed class DistrictState
{
    /// <summary>Companies with units homed here: enough to find every unit again after a restart.</summary>
    [Id(0)] public HashSet<string> Companies { get; set; } = new(StringComparer.Ordinal);

    [Id(1)] public HashSet<string> OpenIncidents { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The most recently closed incidents, newest last (bounded: older ones stay readable by id).</summary>
    [Id(2)] public List<string> RecentlyClosed { get; set; } = [];

    /// <summary>Bulletins issued here that are outstanding, due for erasure, or recently ended (bounded).</summary>
    [Id(3)] public Dictionary<string, DistrictBulletin> Bulletins { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The last number given to a bulletin listed here (newest first in lists).</summary>
    [Id(4)] public long BulletinsListed { get; set; }
}

[GenerateSerializer, Immutable, Alias("coordination.DistrictBulletin")]
public sealed record DistrictBulletin(
    [property: Id(0)] long Order,
    [property: Id(1)] bool Outstanding,
    [property: Id(2)] DateTimeOffset? WakeAt);
