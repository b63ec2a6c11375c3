using Coordination.Domain;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Coordination.Silo.Persistence;

/// <summary>
/// The one place that recognises a store that cannot take writes — its disk is full, it is
/// read-only, or the database ran out of some other resource — from whatever the driver threw,
/// on SQLite and PostgreSQL alike. Grain state (<see cref="InStepGrainStorage"/>) and the audit log
/// both ask it, so both say the same thing for the same fault. Such a fault is no blip that a quick
/// retry cures, and no bug: it lasts until an operator frees space, so it is answered at once (no
/// retry loops) and the health check reports it (<see cref="StorageHealth"/>).
/// </summary>
public static class StoreFault
{
    // Linux errno values, as .NET puts them in an IOException's HResult on Unix.
    private const int Enospc = 28;
    private const int Erofs = 30;
    private const int Edquot = 122;

    // Windows: ERROR_HANDLE_DISK_FULL and ERROR_DISK_FULL as HRESULTs.
    private const int WindowsHandleDiskFull = unchecked((int)0x80070027);
    private const int WindowsDiskFull = unchecked((int)0x80070070);

    /// <summary>
    /// The <see cref="CoordinationException"/> reason for <paramref name="exception"/> (or anything
    /// inside it), or null for any other fault: a dropped connection, a conflict, a bug.
    /// </summary>
    public static string? Classify(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (Of(e) is { } reason)
            {
                return reason;
            }

            if (e is AggregateException { InnerExceptions.Count: > 1 } many)
            {
                return many.InnerExceptions.Select(Classify).FirstOrDefault(r => r is not null);
            }
        }

        return null;
    }

    private static string? Of(Exception e) => e switch
    {
        // The primary result code; SQLite reports ENOSPC on its files as SQLITE_FULL ("database or disk is full").
        SqliteException { SqliteErrorCode: SQLitePCL.raw.SQLITE_FULL } => CoordinationException.StorageFull,
        SqliteException { SqliteErrorCode: SQLitePCL.raw.SQLITE_READONLY } => CoordinationException.StorageReadOnly,

        // Class 53 is "insufficient resources": 53100 disk_full ("could not extend file ...: No space
        // left on device"), 53200 out_of_memory, 53300 too_many_connections, 53400 configuration_limit_exceeded.
        PostgresException { SqlState: PostgresErrorCodes.DiskFull } => CoordinationException.StorageFull,
        PostgresException { SqlState: PostgresErrorCodes.ReadOnlySqlTransaction } => CoordinationException.StorageReadOnly,
        // 53300 is left out: too many connections says nothing about the store, a moment later one is
        // free, and it is a plain UNAVAILABLE (the README's advice on pool sizes is the cure).
        PostgresException { SqlState: PostgresErrorCodes.TooManyConnections } => null,
        PostgresException p when p.SqlState.StartsWith("53", StringComparison.Ordinal) => CoordinationException.StorageExhausted,

        // A file written directly (or a driver that only passes the OS error on).
        IOException { HResult: Enospc or Edquot or WindowsDiskFull or WindowsHandleDiskFull } => CoordinationException.StorageFull,
        IOException { HResult: Erofs } => CoordinationException.StorageReadOnly,

        // Some layers keep only the text (a provider that wraps the driver's exception in its own).
        _ when e.Message.Contains("database or disk is full", StringComparison.OrdinalIgnoreCase)
            || e.Message.Contains("No space left on device", StringComparison.OrdinalIgnoreCase)
            || e.Message.Contains("could not extend file", StringComparison.OrdinalIgnoreCase) => CoordinationException.StorageFull,
        _ when e.Message.Contains("attempt to write a readonly database", StringComparison.OrdinalIgnoreCase)
            || e.Message.Contains("Read-only file system", StringComparison.OrdinalIgnoreCase) => CoordinationException.StorageReadOnly,
        _ => null,
    };

    /// <summary>What the reason means, for a sentence: "... is full".</summary>
    public static string Describe(string reason) => reason switch
    {
        CoordinationException.StorageFull => "is full",
        CoordinationException.StorageReadOnly => "is read-only",
        _ => "is out of resources",
    };
}
