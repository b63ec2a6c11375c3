using System.Security.Cryptography;
using System.Text;
using Coordination.Domain;

namespace Coordination.Silo.Grains.Decisions;

/// <summary>
/// A bulletin's decisions, on its stored state: what its recipients are still owed, what its
/// acknowledgement deadline, its expiry and its retention do, and who may take over its chain.
/// Plain code over <see cref="StoredBulletin"/>; the grain stores and delivers.
/// </summary>
internal static class BulletinLifecycle
{
    public const int MaxAcknowledgementText = 500;

    /// <summary>The deliveries still owed to the companies' feeds, each with the event it records.</summary>
    public static IReadOnlyList<(StoredRecipient Recipient, BulletinEventKind Kind)> Owed(StoredBulletin s)
    {
        if (s.Command is not { } command || s.Refusal is not null || s.PredecessorPending)
        {
            return [];
        }

        var owed = new List<(StoredRecipient, BulletinEventKind)>();
        foreach (var r in s.Recipients)
        {
            if (r.DeliveredAt is null)
            {
                // Not yet told of it: an expired bulletin that never reached a company is not sent late, nor
                // one a later bulletin took over (that one tells the chain; this one late would bring it back).
                if (s.State != BulletinState.Expired && s.SupersededBy is null)
                {
                    owed.Add((r, FirstEvent(command.Message)));
                }
            }
            else if (r.EndPending)
            {
                owed.Add((r, BulletinEventKind.Ended));
            }
            else if (r.ResendPending)
            {
                owed.Add((r, BulletinEventKind.Resent));
            }
        }

        return owed;
    }

    public static BulletinEventKind FirstEvent(BulletinMessage message) => message switch
    {
        BulletinMessage.Alert => BulletinEventKind.Issued,
        BulletinMessage.Update => BulletinEventKind.Updated,
        _ => BulletinEventKind.Ended,
    };

    /// <summary>The state a bulletin is in once issued (cancel and all clear end their chain at once), and the one its predecessor takes.</summary>
    public static BulletinState StateAfter(BulletinMessage message) => message switch
    {
        BulletinMessage.Alert => BulletinState.Outstanding,
        BulletinMessage.Update => BulletinState.Updated,
        BulletinMessage.Cancel => BulletinState.Cancelled,
        _ => BulletinState.AllClear,
    };

    /// <summary>The delivery to a feed has been recorded there.</summary>
    public static void Delivered(StoredRecipient r, BulletinEventKind kind, DateTimeOffset now)
    {
        switch (kind)
        {
            case BulletinEventKind.Resent:
                r.ResendPending = false;
                r.ResentAt = now;
                break;
            case BulletinEventKind.Ended when r.DeliveredAt is not null:
                r.EndPending = false;
                break;
            default:
                r.DeliveredAt = now;
                break;
        }
    }

    /// <summary>
    /// At the acknowledgement deadline, the recipients that have not acknowledged are marked missing
    /// and owed the bulletin once more. True when that changed the state.
    /// </summary>
    public static bool PassDeadline(StoredBulletin s, DateTimeOffset now)
    {
        if (s.Command is not { AcknowledgementRequired: true, AcknowledgeBy: { } by } || s.DeadlineHandled || now < by
            || s.State != BulletinState.Outstanding || s.Refusal is not null)
        {
            return false;
        }

        s.DeadlineHandled = true;
        foreach (var r in s.Recipients.Where(r => r.Acknowledgement is null))
        {
            // One not reached yet gets its first delivery, which is the sending again it is owed.
            r.MissingAtDeadline = true;
            r.ResendPending = r.DeliveredAt is not null;
        }

        return true;
    }

    /// <summary>At its expiry an outstanding bulletin ends; the companies it reached are owed the end. True when it changed.</summary>
    public static bool Expire(StoredBulletin s, DateTimeOffset now)
    {
        if (s.Command is not { } command || s.State != BulletinState.Outstanding || now < command.Expires || s.Refusal is not null)
        {
            return false;
        }

        s.State = BulletinState.Expired;
        s.EndedAt = now;
        foreach (var r in s.Recipients)
        {
            r.ResendPending = false;
            r.EndPending = r.DeliveredAt is not null;
        }

        return true;
    }

    /// <summary>When its free text is to be erased: the retention time after it ended (or was refused).</summary>
    public static DateTimeOffset? EraseAt(StoredBulletin s, TimeSpan retention) =>
        s.TextErasedAt is null && s.EndedAt is { } ended ? ended + retention : null;

    /// <summary>Erases the free text once its retention time has passed. True when it did.</summary>
    public static bool Erase(StoredBulletin s, DateTimeOffset now, TimeSpan retention)
    {
        if (EraseAt(s, retention) is not { } at || now < at || s.Command is null)
        {
            return false;
        }

        s.Command = s.Command with { Headline = "", Description = null, Instruction = null };
        foreach (var r in s.Recipients.Where(r => r.Acknowledgement?.Text is not null))
        {
            r.Acknowledgement = r.Acknowledgement! with { Text = null };
        }

        s.TextErasedAt = now;
        return true;
    }

    /// <summary>The next moment something is due by the clock (deadline, expiry, erasure); null when nothing is.</summary>
    public static DateTimeOffset? NextDue(StoredBulletin s, TimeSpan retention)
    {
        if (s.Command is not { } command)
        {
            return null;
        }

        DateTimeOffset? due = EraseAt(s, retention);
        if (s.State == BulletinState.Outstanding && s.Refusal is null)
        {
            due = Earliest(due, command.Expires);
            if (command is { AcknowledgementRequired: true, AcknowledgeBy: { } by } && !s.DeadlineHandled)
            {
                due = Earliest(due, by);
            }
        }

        return due;
    }

    /// <summary>
    /// A later bulletin takes over this one's chain. The same successor again is a no-op (false);
    /// another one after the chain moved on is refused.
    /// </summary>
    public static bool Supersede(StoredBulletin s, string id, string successorId, BulletinMessage message, DateTimeOffset now)
    {
        if (s.Command is null || s.Refusal is not null)
        {
            throw CoordinationException.NotFound($"no bulletin '{id}'");
        }

        if (s.SupersededBy == successorId)
        {
            return false;
        }

        if (s.PredecessorPending)
        {
            // It is itself still taking over the bulletin before it: the follower tries again shortly.
            throw CoordinationException.Unavailable($"references: '{id}' is still being issued; retry");
        }

        if (s.State != BulletinState.Outstanding)
        {
            throw CoordinationException.Precondition(s.SupersededBy is { } by
                ? $"references: '{id}' was already {Describe(s.State)} by '{by}'; follow the latest bulletin of the chain"
                : $"references: '{id}' has {Describe(s.State)}; it cannot be followed");
        }

        s.State = StateAfter(message);
        s.SupersededBy = successorId;
        s.EndedAt = now;
        foreach (var r in s.Recipients)
        {
            // The successor tells every recipient; this one owes them nothing more.
            r.ResendPending = false;
            r.EndPending = false;
        }

        return true;
    }

    /// <summary>Records a company's acknowledgement; false when it repeats the one recorded.</summary>
    public static bool Acknowledge(StoredBulletin s, string id, string companyId, Acknowledgement ack, DateTimeOffset now)
    {
        var command = s.Command ?? throw CoordinationException.NotFound($"no bulletin '{id}'");
        var recipient = s.Recipients.FirstOrDefault(r => r.CompanyId == companyId)
            ?? throw CoordinationException.Denied($"bulletin '{id}' was not addressed to company '{companyId}'");
        if (!Enum.IsDefined(ack.Kind))
        {
            throw CoordinationException.Invalid("acknowledgement", "must be RECEIVED, RELAYED or CANNOT_ACT");
        }

        if (ack.Text is { Length: > MaxAcknowledgementText })
        {
            throw CoordinationException.Invalid("text", $"is {ack.Text.Length} characters long; the limit is {MaxAcknowledgementText}");
        }

        switch (ack.Kind)
        {
            case AcknowledgementKind.Relayed when ack.RelayedUnits is < 1 or > 100_000:
                throw CoordinationException.Invalid("relayed_units", "must be the number of units it was relayed to (1 or more)");
            case AcknowledgementKind.Relayed when !BulletinAccess.MayRelayToGuards(command.Tlp):
                throw CoordinationException.Precondition($"bulletin '{id}' is {BulletinAccess.Label(command.Tlp)}: recipient control rooms only, never relayed to guards");
            case not AcknowledgementKind.Relayed when ack.RelayedUnits != 0:
                throw CoordinationException.Invalid("relayed_units", "is only for RELAYED");
            case AcknowledgementKind.CannotAct when string.IsNullOrWhiteSpace(ack.Text):
                throw CoordinationException.Invalid("text", "must say why the company cannot act");
        }

        if (recipient.Acknowledgement == ack)
        {
            return false;
        }

        if (s.State != BulletinState.Outstanding)
        {
            throw CoordinationException.Precondition(s.SupersededBy is { } by
                ? $"bulletin '{id}' was {Describe(s.State)} by '{by}'"
                : $"bulletin '{id}' has {Describe(s.State)}; nothing is outstanding to acknowledge");
        }

        recipient.Acknowledgement = ack;
        recipient.AcknowledgedAt ??= now;
        return true;
    }

    /// <summary>SHA-256 of the free text (headline, description, instruction as guards read it), in hex.</summary>
    public static string ContentSha256(IssueBulletin command) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{command.Headline}\n{command.Description}\n{command.Instruction}")));

    public static BulletinView View(string id, StoredBulletin s) => new(
        id, s.Command!, s.Chain, s.IssuedAt, s.State, s.SupersededBy, s.EndedAt,
        [.. s.Recipients.Select(r => new RecipientView(r.CompanyId, r.DeliveredAt, r.Acknowledgement, r.AcknowledgedAt, r.MissingAtDeadline, r.ResentAt))],
        s.TextErasedAt, s.ContentSha256, s.AreaDistricts);

    private static string Describe(BulletinState state) => state switch
    {
        BulletinState.Updated => "updated",
        BulletinState.Cancelled => "cancelled",
        BulletinState.AllClear => "given the all clear",
        BulletinState.Expired => "expired",
        _ => "outstanding",
    };

    private static DateTimeOffset Earliest(DateTimeOffset? a, DateTimeOffset b) => a is { } x && x < b ? x : b;
}
