namespace Coordination.Domain;

/// <summary>Where a bulletin stands. Only <see cref="Outstanding"/> asks anything of its recipients.</summary>
public enum BulletinState
{
    Outstanding = 1,

    /// <summary>Replaced by an update (its successor is outstanding instead).</summary>
    Updated = 2,

    Cancelled = 3,
    AllClear = 4,
    Expired = 5,
}

public enum AcknowledgementKind
{
    Received = 1,
    Relayed = 2,
    CannotAct = 3,
}

/// <summary>A company's answer to a bulletin.</summary>
[GenerateSerializer, Immutable, Alias("coordination.Acknowledgement")]
public sealed record Acknowledgement(
    [property: Id(0)] AcknowledgementKind Kind,
    [property: Id(1)] int RelayedUnits,
    [property: Id(2)] string? Text);

/// <summary>One recipient company's delivery and acknowledgement, as the police see it.</summary>
[GenerateSerializer, Immutable, Alias("coordination.RecipientView")]
public sealed record RecipientView(
    [property: Id(0)] string CompanyId,
    [property: Id(1)] DateTimeOffset? DeliveredAt,
    [property: Id(2)] Acknowledgement? Acknowledgement,
    [property: Id(3)] DateTimeOffset? AcknowledgedAt,
    [property: Id(4)] bool MissingAtDeadline,
    [property: Id(5)] DateTimeOffset? ResentAt);

/// <summary>
/// A bulletin as stored and as shown. <see cref="Bulletin"/> holds the command as issued (its free
/// text empty once erased); <see cref="For"/> cuts it down to what a caller may see.
/// </summary>
[GenerateSerializer, Immutable, Alias("coordination.BulletinView")]
public sealed record BulletinView(
    [property: Id(0)] string Id,
    [property: Id(1)] IssueBulletin Bulletin,
    [property: Id(2)] string[] Chain,
    [property: Id(3)] DateTimeOffset IssuedAt,
    [property: Id(4)] BulletinState State,
    [property: Id(5)] string? SupersededBy,
    [property: Id(6)] DateTimeOffset? EndedAt,
    [property: Id(7)] RecipientView[] Recipients,
    [property: Id(8)] DateTimeOffset? TextErasedAt,
    [property: Id(9)] string ContentSha256,
    [property: Id(10)] string[] AreaDistricts)
{
    public int Delivered => Recipients.Count(r => r.DeliveredAt is not null);

    public int Acknowledged => Recipients.Count(r => r.Acknowledgement is not null);

    public int MissingAtDeadline => Recipients.Count(r => r.MissingAtDeadline && r.Acknowledgement is null);

    public bool IsRecipient(string? companyId) => companyId is not null && Recipients.Any(r => r.CompanyId == companyId);

    /// <summary>Whether <paramref name="caller"/> may read it at all (its level; see <see cref="BulletinAccess"/>).</summary>
    public bool ReadableBy(Caller caller) =>
        BulletinAccess.MayRead(caller, Bulletin.District, AreaDistricts, Bulletin.Tlp, IsRecipient(caller.CompanyId));

    /// <summary>
    /// What <paramref name="caller"/> sees of a bulletin it may read: police every recipient; a company
    /// its own line only (which other companies were told is not its business); a viewer the counts.
    /// </summary>
    public BulletinView For(Caller caller) => caller.Role switch
    {
        CallerRole.Police => this,
        CallerRole.Company => this with { Recipients = [.. Recipients.Where(r => r.CompanyId == caller.CompanyId)] },
        _ => this with { Recipients = [.. Recipients.Select(r => r with { CompanyId = "", Acknowledgement = r.Acknowledgement is null ? null : r.Acknowledgement with { Text = null } })] },
    };
}

/// <summary>What a company's feed records for a bulletin, and shows as an event of its stream.</summary>
public enum BulletinEventKind
{
    /// <summary>Outstanding when the feed (re)started.</summary>
    Outstanding = 1,
    Issued = 2,
    Updated = 3,
    Ended = 4,
    Resent = 5,
}

/// <summary>A bulletin's request to a company's feed: record this event for this bulletin (idempotent).</summary>
[GenerateSerializer, Immutable, Alias("coordination.BulletinDelivery")]
public sealed record BulletinDelivery(
    [property: Id(0)] string BulletinId,
    [property: Id(1)] string ChainId,
    [property: Id(2)] BulletinEventKind Kind,
    [property: Id(3)] DateTimeOffset Expires);

/// <summary>One event of a company's feed, by reference: the bulletin's text lives in the bulletin only (erased in one place).</summary>
[GenerateSerializer, Immutable, Alias("coordination.BulletinFeedEvent")]
public sealed record BulletinFeedEvent(
    [property: Id(0)] long Sequence,
    [property: Id(1)] BulletinEventKind Kind,
    [property: Id(2)] string BulletinId);

/// <summary>Where a watcher starts: the events to send first, and whether the feed had to start again from the outstanding list.</summary>
[GenerateSerializer, Immutable, Alias("coordination.BulletinFeedStart")]
public sealed record BulletinFeedStart(
    [property: Id(0)] IReadOnlyList<BulletinFeedEvent> Events,
    [property: Id(1)] bool Restarted);

/// <summary>A live event for a watcher, with the bulletin as the company sees it.</summary>
[GenerateSerializer, Immutable, Alias("coordination.BulletinNotice")]
public sealed record BulletinNotice(
    [property: Id(0)] BulletinFeedEvent Event,
    [property: Id(1)] BulletinView Bulletin);

/// <summary>A district board's line for a bulletin (dashboards and the web map).</summary>
[GenerateSerializer, Immutable, Alias("coordination.BulletinSummary")]
public sealed record BulletinSummary(
    [property: Id(0)] string Id,
    [property: Id(1)] string Kind,
    [property: Id(2)] string Headline,
    [property: Id(3)] Tlp Tlp,
    [property: Id(4)] BulletinStatus Status,
    [property: Id(5)] BulletinArea Area,
    [property: Id(6)] BulletinState State,
    [property: Id(7)] int Recipients,
    [property: Id(8)] int Delivered,
    [property: Id(9)] int Acknowledged,
    [property: Id(10)] int MissingAtDeadline,
    [property: Id(11)] bool AcknowledgementRequired,
    [property: Id(12)] DateTimeOffset? AcknowledgeBy,
    [property: Id(13)] DateTimeOffset Expires,
    [property: Id(14)] string[] AreaDistricts)
{
    // A bulletin's kind, level, status and area never change; what does is compared (the arrays would compare by reference).
    public bool Equals(BulletinSummary? other) =>
        other is not null && other.Id == Id && other.State == State && other.Headline == Headline && other.Recipients == Recipients
        && other.Delivered == Delivered && other.Acknowledged == Acknowledged && other.MissingAtDeadline == MissingAtDeadline
        && other.Expires == Expires && other.AcknowledgeBy == AcknowledgeBy && other.AreaDistricts.SequenceEqual(AreaDistricts);

    public override int GetHashCode() => HashCode.Combine(Id, State, Delivered, Acknowledged, MissingAtDeadline);

    /// <summary>
    /// Whether a dashboard of <paramref name="caller"/> shows the line: the bulletin's own reading rule
    /// (<see cref="BulletinAccess"/>), so a wall screen shows no more than its viewer token could read.
    /// Dashboards are police and viewers, never a recipient company.
    /// </summary>
    public bool ShownTo(Caller caller) => BulletinAccess.MayRead(caller, BulletinIds.District(Id), AreaDistricts, Tlp, recipient: false);

    public static BulletinSummary Of(BulletinView b) => new(
        b.Id, b.Bulletin.Kind, b.Bulletin.Headline, b.Bulletin.Tlp, b.Bulletin.Status, b.Bulletin.Area, b.State,
        b.Recipients.Length, b.Delivered, b.Acknowledged, b.MissingAtDeadline, b.Bulletin.AcknowledgementRequired,
        b.Bulletin.AcknowledgeBy, b.Bulletin.Expires, b.AreaDistricts);
}

public static class BulletinIds
{
    /// <summary>Bulletins are keyed by district and the issuer's id, so a retried issue finds the first one.</summary>
    public static string Of(string district, string bulletinId) => $"{district}.{bulletinId}";

    public static string District(string id) => id[..id.IndexOf('.', StringComparison.Ordinal)];

    public static string Local(string id) => id[(id.IndexOf('.', StringComparison.Ordinal) + 1)..];
}
