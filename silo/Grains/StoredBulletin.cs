using Coordination.Domain;

namespace Coordination.Silo.Grains;

/// <summary>A bulletin grain's stored state (see <see cref="BulletinGrain"/>).</summary>
[GenerateSerializer, Alias("coordination.StoredBulletin")]
public sealed class StoredBulletin
{
    /// <summary>The command as issued and checked; null until issued. Its free text is emptied when erased.</summary>
    [Id(0)] public IssueBulletin? Command { get; set; }

    /// <summary>A hash of the command as the client sent it, so a retry is told from a different bulletin under the same id.</summary>
    [Id(1)] public string CommandHash { get; set; } = "";

    [Id(2)] public DateTimeOffset IssuedAt { get; set; }

    [Id(3)] public string[] Chain { get; set; } = [];

    [Id(4)] public BulletinState State { get; set; } = BulletinState.Outstanding;

    [Id(5)] public string? SupersededBy { get; set; }

    [Id(6)] public DateTimeOffset? EndedAt { get; set; }

    [Id(7)] public List<StoredRecipient> Recipients { get; set; } = [];

    [Id(8)] public DateTimeOffset? TextErasedAt { get; set; }

    /// <summary>SHA-256 of the free text as issued: what stays (here and in the audit log) once the text is erased.</summary>
    [Id(9)] public string ContentSha256 { get; set; } = "";

    [Id(10)] public string[] AreaDistricts { get; set; } = [];

    /// <summary>
    /// Intent: the bulletin this one follows has not yet been told (an update, cancel or all clear is
    /// stored first, then takes over its predecessor). Whoever finds it set finishes the step.
    /// </summary>
    [Id(11)] public bool PredecessorPending { get; set; }

    /// <summary>Set when the chain had moved on before this bulletin could follow it: refused for good, a retry gets the same answer.</summary>
    [Id(12)] public string? Refusal { get; set; }

    /// <summary>The acknowledgement deadline was handled (missing recipients marked, re-sends queued).</summary>
    [Id(13)] public bool DeadlineHandled { get; set; }
}

/// <summary>One recipient company. Each <c>…Pending</c> flag is a delivery still owed to its feed.</summary>
[GenerateSerializer, Alias("coordination.StoredRecipient")]
public sealed class StoredRecipient
{
    [Id(0)] public string CompanyId { get; set; } = "";

    [Id(1)] public DateTimeOffset? DeliveredAt { get; set; }

    [Id(2)] public Acknowledgement? Acknowledgement { get; set; }

    /// <summary>When it first acknowledged (a later, different acknowledgement replaces the answer, not this).</summary>
    [Id(3)] public DateTimeOffset? AcknowledgedAt { get; set; }

    [Id(4)] public bool MissingAtDeadline { get; set; }

    [Id(5)] public DateTimeOffset? ResentAt { get; set; }

    [Id(6)] public bool ResendPending { get; set; }

    /// <summary>The bulletin expired after reaching this company: its feed must hear the end.</summary>
    [Id(7)] public bool EndPending { get; set; }
}
