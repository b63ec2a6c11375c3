namespace Coordination.Domain;

/// <summary>What went wrong, in terms a caller can act on. The gateway maps each to one gRPC status code.</summary>
public enum ErrorKind
{
    InvalidArgument = 1,
    NotFound = 2,
    FailedPrecondition = 3,
    PermissionDenied = 4,
    AlreadyExists = 5,
    ResourceExhausted = 6,

    /// <summary>Storage or the cluster cannot take the change right now; nothing was kept, retry with the same id.</summary>
    Unavailable = 7,

    /// <summary>Another activation or a concurrent change wrote first; nothing was kept, retry with the same id.</summary>
    Aborted = 8,

    /// <summary>The caller could not be identified (no valid token or certificate).</summary>
    Unauthenticated = 9,
}

/// <summary>
/// A refusal decided by the domain: thrown by validation and by grains, carried across Orleans
/// calls intact, and turned into a gRPC status in exactly one place (the gateway's interceptor).
/// </summary>
[GenerateSerializer, Alias("coordination.CoordinationException")]
public sealed class CoordinationException : Exception
{
    public CoordinationException(ErrorKind code, string message, string? field = null)
        : base(field is null ? message : $"{field}: {message}")
    {
        Code = code;
        Field = field;
    }

    /// <summary>A storage refusal that says why, in a form a program can read (see <see cref="Reason"/>).</summary>
    public CoordinationException(ErrorKind code, string message, string reason, IReadOnlyDictionary<string, string> metadata)
        : base(message)
    {
        Code = code;
        Reason = reason;
        Metadata = metadata;
    }

    /// <summary>The store cannot take writes because its disk (or database) is full; retry once space is freed.</summary>
    public const string StorageFull = "STORAGE_FULL";

    /// <summary>The store refuses writes (a read-only file system, file or database); retry once an operator fixed it.</summary>
    public const string StorageReadOnly = "STORAGE_READ_ONLY";

    /// <summary>The database is out of some other resource (memory, connections, a configured limit).</summary>
    public const string StorageExhausted = "STORAGE_EXHAUSTED";

    [Id(0)] public ErrorKind Code { get; private set; }

    /// <summary>The request field at fault (proto field path such as <c>units[3].headcount</c>), when there is one.</summary>
    [Id(1)] public string? Field { get; private set; }

    /// <summary>
    /// Why, when the status code alone does not say it (one of the <c>Storage*</c> constants); the gateway
    /// sends it as a <c>google.rpc.ErrorInfo</c> reason, so a client or operator can tell a full disk from
    /// a blip without reading the message. Null for every other refusal.
    /// </summary>
    [Id(2)] public string? Reason { get; private set; }

    /// <summary>With <see cref="Reason"/>: which store, and where it lives (the ErrorInfo's metadata).</summary>
    [Id(3)] public IReadOnlyDictionary<string, string>? Metadata { get; private set; }

    public static CoordinationException Invalid(string field, string message) => new(ErrorKind.InvalidArgument, message, field);
    public static CoordinationException NotFound(string message) => new(ErrorKind.NotFound, message);
    public static CoordinationException Precondition(string message) => new(ErrorKind.FailedPrecondition, message);
    public static CoordinationException Unavailable(string message) => new(ErrorKind.Unavailable, message);
    public static CoordinationException Denied(string message) => new(ErrorKind.PermissionDenied, message);
}
