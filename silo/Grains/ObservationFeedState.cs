using Coordination.Domain;

namespace Coordination.Silo.Grains;

/// <summary>
/// A numbered observation feed, stored (see <see cref="Decisions.ObservationFeed"/>): a district's
/// queue or a company's feedback. Lines and numbers only: no free text, no photos.
/// </summary>
[GenerateSerializer, Alias("coordination.ObservationFeedState")]
public sealed class ObservationFeedState
{
    /// <summary>The last sequence number given to an event.</summary>
    [Id(0)] public long Sequence { get; set; }

    /// <summary>The open observations' lines (new or seen), by id.</summary>
    [Id(1)] public Dictionary<string, ObservationLine> Open { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The most recent events, oldest first (bounded): what a reconnecting watcher can be sent again.</summary>
    [Id(2)] public List<ObservationFeedEvent> Recent { get; set; } = [];

    /// <summary>The version last recorded per observation that is open or still in <see cref="Recent"/>, so a repeat records nothing.</summary>
    [Id(3)] public Dictionary<string, long> Versions { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The most recently closed observations, newest last (bounded).</summary>
    [Id(4)] public List<string> RecentlyClosed { get; set; } = [];

    /// <summary>
    /// A queue only: observations to wake because they are about to change or still owe something,
    /// with when each was listed. A restart loses no observation halfway. Bounded by the work in flight.
    /// </summary>
    [Id(5)] public Dictionary<string, DateTimeOffset> Wake { get; set; } = new(StringComparer.Ordinal);

    /// <summary>A queue only: the days with reports not yet swept for erasure (at most the retention's number of days).</summary>
    [Id(6)] public SortedSet<DateOnly> Days { get; set; } = [];
}
