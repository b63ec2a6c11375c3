using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Coordination.Domain;

/// <summary>One command as the audit log keeps it.</summary>
[GenerateSerializer, Immutable, Alias("coordination.AuditEntry")]
public sealed record AuditEntry(
    [property: Id(0)] long Sequence,
    [property: Id(1)] DateTimeOffset At,
    [property: Id(2)] string Subject,
    [property: Id(3)] string Role,
    [property: Id(4)] string Scope,
    [property: Id(5)] string Rpc,
    [property: Id(6)] string? RequestId,
    [property: Id(7)] string? IncidentId,
    [property: Id(8)] string Outcome,
    [property: Id(9)] string? Detail,
    [property: Id(10)] string PreviousHash,
    [property: Id(11)] string Hash,
    [property: Id(12)] string? Call = null)
{
    /// <summary>Written before the command ran: the command may have taken effect; its outcome record says how it ended.</summary>
    public const string Started = "Started";
}

/// <summary>
/// The hash chain that makes the audit log tamper-evident: each entry's hash covers its own fields
/// and the previous entry's hash, so changing, removing or reordering any entry breaks every link
/// after it. The writer and the independent verifier share this one definition.
/// </summary>
public static class AuditChain
{
    public const string Genesis = "0000000000000000000000000000000000000000000000000000000000000000";

    public static string HashOf(AuditEntry entry)
    {
        // A JSON array is an unambiguous encoding of the fields: no separator can be forged by content.
        object?[] fields =
        [
            entry.Sequence, entry.At.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture), entry.Subject, entry.Role, entry.Scope,
            entry.Rpc, entry.RequestId, entry.IncidentId, entry.Outcome, entry.Detail, entry.PreviousHash,
        ];

        // The call id joined the log later: entries without one hash exactly as they always did.
        var canonical = JsonSerializer.Serialize(entry.Call is null ? fields : [.. fields, entry.Call]);
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(canonical)));
    }

    public static AuditEntry Seal(AuditEntry entry) => entry with { Hash = HashOf(entry) };

    /// <summary>The first entry whose link is broken, or null when the whole chain holds.</summary>
    public static (long Sequence, string Problem)? FirstBrokenLink(IEnumerable<AuditEntry> entries)
    {
        var previous = Genesis;
        var expected = 1L;
        foreach (var entry in entries)
        {
            if (entry.Sequence != expected)
            {
                return (entry.Sequence, $"expected entry {expected} here: an entry is missing or out of order");
            }

            if (entry.PreviousHash != previous)
            {
                return (entry.Sequence, "does not link to the entry before it");
            }

            if (HashOf(entry) != entry.Hash)
            {
                return (entry.Sequence, "its content does not match its hash: it was changed");
            }

            previous = entry.Hash;
            expected++;
        }

        return null;
    }
}
