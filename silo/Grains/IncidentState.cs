using Coordination.Domain;

namespace Coordination.Silo.Grains;

[GenerateSerializer, Alias("coordination.IncidentState")]
public sealed class IncidentState
{
    [Id(0)] public OpenIncident? Opening { get; set; }
    [Id(1)] public IncidentStatus Status { get; set; } = IncidentStatus.Open;
    [Id(2)] public DateTimeOffset OpenedAt { get; set; }
    [Id(3)] public DateTimeOffset? ClosedAt { get; set; }
    /// <summary>
    /// Requests still in play: seeking, holding units, unable to fill, or named by a release under way.
    /// A request that is over (cancelled, or completed) and holds nothing moves to <see cref="Archived"/>
    /// (see <see cref="Decisions.RequestArchive"/>).
    /// </summary>
    [Id(4)] public List<CapacityRequestState> Requests { get; set; } = [];
    [Id(5)] public int OffersMade { get; set; }

    /// <summary>The newest timeline events; older ones are sealed into pages (<see cref="ITimelinePageGrain"/>).</summary>
    [Id(6)] public List<TimelineEvent> TimelineTail { get; set; } = [];
    [Id(7)] public int SealedPages { get; set; }
    [Id(8)] public long NextSequence { get; set; } = 1;

    /// <summary>A multi-grain release under way; finished before any other command runs.</summary>
    [Id(9)] public ReleaseIntent? PendingRelease { get; set; }

    /// <summary>
    /// Start records of commands, written with the command's first change (see IncidentGrain.Audit.cs)
    /// and not yet known to be in the audit chain. Usually empty: a record leaves once appended.
    /// </summary>
    [Id(10)] public List<AuditRecord> AuditOutbox { get; set; } = [];

    /// <summary>Observations on the timeline, so attaching one again (a retry, its own timer) adds nothing.</summary>
    [Id(11)] public HashSet<string> Observations { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Archived requests not yet sealed into a page (<see cref="IRequestPageGrain"/>), oldest first.</summary>
    [Id(12)] public List<CapacityRequestState> Archived { get; set; } = [];

    [Id(13)] public int ArchivePages { get; set; }

    // Id 14 is retired (a hash of each archived request's id, replaced the same day by the ids read from the pages): do not reuse it.

    /// <summary>Requests made so far; a request's <see cref="CapacityRequestState.Number"/> keeps the incident's order across pages.</summary>
    [Id(15)] public int RequestsMade { get; set; }
}

[GenerateSerializer, Alias("coordination.CapacityRequestState")]
public sealed class CapacityRequestState
{
    [Id(0)] public required RequestCapacity Command { get; set; }
    [Id(1)] public RequestStatus Status { get; set; } = RequestStatus.Seeking;
    [Id(2)] public DateTimeOffset End { get; set; }
    [Id(3)] public List<OfferState> Offers { get; set; } = [];
    [Id(4)] public List<AssignmentState> Assignments { get; set; } = [];

    /// <summary>1, 2, 3… in the order the incident received its requests.</summary>
    [Id(5)] public int Number { get; set; }

    /// <summary>Guards ever committed to this request, released ones included: releases do not reopen it.</summary>
    public int EverCommittedGuards => Assignments.Sum(a => a.Guards);

    /// <summary>Guards committed and not released: what the request holds now.</summary>
    public int HeldGuards => Assignments.Where(a => a.Status != AssignmentStatus.Released).Sum(a => a.Guards);

    /// <summary>Guards in offers not yet answered. What a request may still ask for is <see cref="Decisions.RequestFill"/>'s to decide.</summary>
    public int PendingGuards => Offers.Where(o => o.Status == OfferStatus.Pending).Sum(o => o.Guards);
}

[GenerateSerializer, Alias("coordination.OfferState")]
public sealed class OfferState
{
    [Id(0)] public required string OfferId { get; set; }
    [Id(1)] public required string CompanyId { get; set; }
    [Id(2)] public int Guards { get; set; }
    [Id(3)] public string[] SuggestedUnits { get; set; } = [];
    [Id(4)] public OfferStatus Status { get; set; } = OfferStatus.Pending;
    [Id(5)] public DateTimeOffset Deadline { get; set; }
    [Id(6)] public int CommittedGuards { get; set; }
    [Id(7)] public string? Reason { get; set; }
    [Id(8)] public bool Automatic { get; set; }
    [Id(9)] public string? AnswerId { get; set; }

    /// <summary>
    /// Units being committed, recorded before any unit is asked. If the silo stops half-way the
    /// incident finishes (or undoes) the commitment on its next activation; the unit side is
    /// idempotent per offer id, so asking twice is harmless.
    /// </summary>
    [Id(10)] public CommitIntent? Intent { get; set; }

    /// <summary>False until the company has received the offer; re-sent on the next activation.</summary>
    [Id(11)] public bool Delivered { get; set; }
}

[GenerateSerializer, Alias("coordination.CommitIntent")]
public sealed record CommitIntent(
    [property: Id(0)] string AnswerId,
    [property: Id(1)] string[] UnitKeys,
    [property: Id(2)] string Actor,
    [property: Id(3)] bool AllOrNothing);

[GenerateSerializer, Alias("coordination.AssignmentState")]
public sealed class AssignmentState
{
    [Id(0)] public required string UnitKey { get; set; }
    [Id(1)] public int Guards { get; set; }
    [Id(2)] public AssignmentStatus Status { get; set; } = AssignmentStatus.Committed;
    [Id(3)] public required string OfferId { get; set; }
    [Id(4)] public DateTimeOffset CommittedAt { get; set; }
    [Id(5)] public DateTimeOffset Until { get; set; }
}

/// <summary>
/// A release of units that touches other grains (release, return, cancel, close, an unfillable
/// all-or-nothing request, an exercise yielding a unit), recorded before any unit is asked. If the
/// silo stops half-way, the incident's next activation (or the next command, or a retry) finishes it:
/// the unit side ignores a release whose commitment is no longer current, so asking twice is harmless.
/// </summary>
[GenerateSerializer, Alias("coordination.ReleaseIntent")]
public sealed record ReleaseIntent(
    [property: Id(0)] ReleaseCause Cause,
    [property: Id(1)] string Actor,
    [property: Id(2)] string? ReleaseReason,
    [property: Id(3)] string? Reason,
    [property: Id(4)] string? RequestId,
    [property: Id(5)] ReleasedUnit[] Units,
    [property: Id(6)] WithdrawnOffer[] WithdrawnOffers);

[GenerateSerializer, Alias("coordination.ReleasedUnit")]
public sealed record ReleasedUnit([property: Id(0)] string RequestId, [property: Id(1)] string UnitKey, [property: Id(2)] string OfferId);

/// <summary>An offer withdrawn by the same command: its company is told once the command is durable (again on resume; telling twice is harmless).</summary>
[GenerateSerializer, Alias("coordination.WithdrawnOffer")]
public sealed record WithdrawnOffer([property: Id(0)] string OfferId, [property: Id(1)] string CompanyId);

/// <summary>What a release finishes once its units are free.</summary>
public enum ReleaseCause
{
    Release = 0,
    Returned = 1,
    CancelRequest = 2,
    CloseIncident = 3,
    UnableToFill = 4,
    Yield = 5,
}
