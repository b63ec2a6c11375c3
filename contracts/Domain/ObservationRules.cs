using System.Security.Cryptography;
using System.Text;

namespace Coordination.Domain;

/// <summary>
/// What a guard's report must hold, and how triage moves on. Shared by the gateway (to answer before
/// a grain is touched) and the observation grain (so nothing the gateway would refuse is stored).
/// </summary>
public static class ObservationRules
{
    public const int MaxTextLength = 4000;
    public const int MaxMessageLength = 1000;
    public const int MaxPhotos = 4;

    /// <summary>One MiB: a phone photo scaled for a control-room screen. Four of them fit the service's message limit.</summary>
    public const int MaxPhotoBytes = 1024 * 1024;

    /// <summary>Clocks on guards' devices drift; a report from further ahead than this is a wrong clock, not a sighting.</summary>
    public static readonly TimeSpan MaxClockAhead = TimeSpan.FromMinutes(5);

    /// <summary>Older than this it is history for the company's own log, not something for the police's queue.</summary>
    public static readonly TimeSpan MaxAge = TimeSpan.FromDays(7);

    /// <summary>What the reply always says: the queue is read by people with other work; danger to life is a call.</summary>
    public const string EmergencyNotice =
        "This report goes to the police district's queue; it is not an emergency call. If anyone is in immediate danger, call 112 now.";

    public static bool IsOpen(ObservationStage stage) => stage is ObservationStage.New or ObservationStage.Seen;

    /// <summary>Checks a report field by field; returns the photos' descriptions (type taken from the bytes).</summary>
    public static IReadOnlyList<PhotoInfo> Check(ReportObservation r, DateTimeOffset now)
    {
        Validate.Id(r.CompanyId, "company_id");
        Validate.Id(r.ObservationId, "observation_id");
        Validate.Id(r.UnitId, "unit_id");
        if (r.SeenAt == default)
        {
            throw CoordinationException.Invalid("seen_at", "is required");
        }

        if (r.SeenAt > now + MaxClockAhead)
        {
            throw CoordinationException.Invalid("seen_at", $"{r.SeenAt:u} is in the future (the server's clock says {now:u})");
        }

        if (r.SeenAt < now - MaxAge)
        {
            throw CoordinationException.Invalid("seen_at", $"{r.SeenAt:u} is more than {MaxAge.TotalDays:0} days ago");
        }

        if (Validate.Position(r.Position, "position") is null)
        {
            throw CoordinationException.Invalid("position", "is required: where the unit saw it");
        }

        if (string.IsNullOrEmpty(r.Category) || !ReferenceData.Current.IsObservationCategory(r.Category))
        {
            throw CoordinationException.Invalid("category", $"'{r.Category}' is not an observation category (one of: {string.Join(", ", ReferenceData.Current.ObservationCategories.Select(c => c.Id))})");
        }

        Validate.RequiredText(r.Text, "text", MaxTextLength);
        if (r.AnswersBulletinId is not null)
        {
            Validate.BulletinId(r.AnswersBulletinId, "answers_bulletin_id");
        }

        if (r.IncidentId is not null)
        {
            Validate.IncidentId(r.IncidentId, "incident_id");
        }

        if (r.Photos.Length > MaxPhotos)
        {
            throw CoordinationException.Invalid("photos", $"{r.Photos.Length} photos; the limit is {MaxPhotos}");
        }

        return [.. r.Photos.Select(CheckPhoto)];
    }

    public static string? CheckMessage(string? message) =>
        message is { Length: > MaxMessageLength }
            ? throw CoordinationException.Invalid("message", $"is {message.Length} characters long; the limit is {MaxMessageLength}")
            : string.IsNullOrWhiteSpace(message) ? null : message;

    /// <summary>
    /// Whether triage to <paramref name="to"/> changes anything: the same step again does not (a
    /// retry); a step back, or on from a closing step, is refused.
    /// </summary>
    public static bool Moves(ObservationStage from, ObservationStage to, string? message, string? lastMessage)
    {
        if (to is < ObservationStage.Seen or > ObservationStage.Dismissed)
        {
            throw CoordinationException.Invalid("stage", "must be SEEN, ACTIONED or DISMISSED");
        }

        if (from == to)
        {
            return message is not null && message != lastMessage
                ? throw CoordinationException.Precondition($"the observation is already {Name(to)}; its message cannot be changed")
                : false;
        }

        if (!IsOpen(from) || to < from)
        {
            throw CoordinationException.Precondition($"the observation is {Name(from)}; it cannot become {Name(to)}");
        }

        return true;
    }

    public static string Name(ObservationStage stage) => stage.ToString().ToUpperInvariant();

    /// <summary>SHA-256 of the report's free text: what stays, here and in the audit log, once the text is erased.</summary>
    public static string ContentSha256(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    /// <summary>The image type the bytes are, by their signature; null if they are none of the accepted ones.</summary>
    public static string? Sniff(ReadOnlySpan<byte> data) => data switch
    {
        [0xFF, 0xD8, 0xFF, ..] => "image/jpeg",
        [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, ..] => "image/png",
        [(byte)'R', (byte)'I', (byte)'F', (byte)'F', _, _, _, _, (byte)'W', (byte)'E', (byte)'B', (byte)'P', ..] => "image/webp",
        _ => null,
    };

    private static PhotoInfo CheckPhoto(PhotoUpload photo, int index)
    {
        var field = $"photos[{index}]";
        if (photo.Data.Length == 0)
        {
            throw CoordinationException.Invalid($"{field}.data", "is empty");
        }

        if (photo.Data.Length > MaxPhotoBytes)
        {
            throw CoordinationException.Invalid($"{field}.data", $"is {photo.Data.Length} bytes; the limit is {MaxPhotoBytes} (1 MiB)");
        }

        var type = Sniff(photo.Data) ?? throw CoordinationException.Invalid($"{field}.data", "is not a JPEG, PNG or WebP image (checked by its bytes)");
        if (photo.ContentType.Length > 0 && !string.Equals(photo.ContentType, type, StringComparison.OrdinalIgnoreCase))
        {
            throw CoordinationException.Invalid($"{field}.content_type", $"says '{photo.ContentType}', but the bytes are {type}");
        }

        return new PhotoInfo(index, type, photo.Data.Length, Convert.ToHexStringLower(SHA256.HashData(photo.Data)));
    }
}
