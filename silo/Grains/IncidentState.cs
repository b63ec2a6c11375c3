using Coordination.Domain;

namespace Coordination.Silo.Grains;

[GenerateSerializer, Alias("coordination.IncidentState")]
public sealed class IncidentState
{
    [Id(0)] public OpenIncident? Opening { get; set; }
    [Id(1)] public IncidentStatus Status { get; set; } = IncidentStatus.Open;
    [Id(2)] public DateTimeOffset OpenedAt { get; set; }
    [Id(3)] public DateTimeOffset? ClosedAt { get; set; }
    [Id(4)] public List<CapacityRequestState> Requests { get; set; } = [];
    [Id(5)] public int OffersMade { get; set; }

    /// <summary>The newest timeline events; older ones are sealed into pages (<see cref="ITimelinePageGrain"/>).</summary>
    [Id(6)] public List<TimelineEvent> TimelineTail { get; set; } = [];
    [Id(7)] public int SealedPages { get; set; }
    [Id(8)] public long NextSequence { get; set; } = 1;
}

[GenerateSerializer, Alias("coordination.CapacityRequestState")]
public sealed class CapacityRequestState
{
    [Id(0)] public required RequestCapacity Command { get; set; }
    [Id(1)] public RequestStatus Status { get; set; } = RequestStatus.Seeking;
    [Id(2)] public DateTimeOffset End { get; set; }
    [Id(3)] public List<OfferState> Offers { get; set; } = [];
    [Id(4)] public List<AssignmentState> Assignments { get; set; } = [];

    /// <summary>Guards ever committed to this request; releases do not reopen it.</summary>
    public int CommittedGuards => Assignments.Sum(a => a.Guards);

    public int PendingGuards => Offers.Where(o => o.Status == OfferStatus.Pending).Sum(o => o.Guards);

    public int Need => Command.Guards - CommittedGuards - PendingGuards;
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
