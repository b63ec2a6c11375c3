using Coordination.Domain;

namespace Coordination.Silo.Grains;

/// <summary>A company's bulletin feed, stored (see <see cref="Decisions.BulletinFeed"/>). Ids and numbers only: no bulletin text.</summary>
[GenerateSerializer, Alias("coordination.CompanyBulletinsState")]
public sealed class CompanyBulletinsState
{
    /// <summary>The last sequence number given to an event.</summary>
    [Id(0)] public long Sequence { get; set; }

    /// <summary>Per chain (its first bulletin's id), the bulletin of it now outstanding for the company.</summary>
    [Id(1)] public Dictionary<string, OutstandingBulletin> Outstanding { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The most recent events, oldest first (bounded): what a reconnecting watcher can be sent again.</summary>
    [Id(2)] public List<BulletinFeedEvent> Recent { get; set; } = [];

    /// <summary>Deliveries recorded ("bulletin/kind" to sequence), so a repeated delivery records nothing twice.</summary>
    [Id(3)] public Dictionary<string, long> Recorded { get; set; } = new(StringComparer.Ordinal);
}

[GenerateSerializer, Immutable, Alias("coordination.OutstandingBulletin")]
public sealed record OutstandingBulletin(
    [property: Id(0)] string BulletinId,
    [property: Id(1)] long Sequence,
    [property: Id(2)] DateTimeOffset Expires);
