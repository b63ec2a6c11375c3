using Coordination.Domain;
using Coordination.Silo.Persistence;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Coordination.Tests;

/// <summary>
/// Which driver faults mean "the store cannot take writes" (answered at once, named, health NOT_SERVING)
/// and which are something else (a blip, a conflict, a bug), with the codes the drivers really use.
/// </summary>
public sealed class StoreFaultTests
{
    public static TheoryData<Exception, string?> Faults() => new()
    {
        { new SqliteException("SQLite Error 13: 'database or disk is full'.", SQLitePCL.raw.SQLITE_FULL), CoordinationException.StorageFull },
        { new SqliteException("SQLite Error 8: 'attempt to write a readonly database'.", SQLitePCL.raw.SQLITE_READONLY), CoordinationException.StorageReadOnly },
        { new SqliteException("SQLite Error 5: 'database is locked'.", SQLitePCL.raw.SQLITE_BUSY), null },
        { new SqliteException("SQLite Error 19: 'UNIQUE constraint failed'.", SQLitePCL.raw.SQLITE_CONSTRAINT), null },
        { Postgres("53100", "could not extend file \"base/16384/16397\": No space left on device"), CoordinationException.StorageFull },
        { Postgres("25006", "cannot execute INSERT in a read-only transaction"), CoordinationException.StorageReadOnly },
        { Postgres("53200", "out of memory"), CoordinationException.StorageExhausted },
        { Postgres("53400", "configuration limit exceeded"), CoordinationException.StorageExhausted },
        { Postgres("53300", "sorry, too many clients already"), null },
        { Postgres("57P01", "terminating connection due to administrator command"), null },
        { Postgres("40001", "could not serialize access due to concurrent update"), null },
        { new IOException("No space left on device : '/data/coordination.db-wal'", 28), CoordinationException.StorageFull },
        { new IOException("Read-only file system : '/data/coordination.db'", 30), CoordinationException.StorageReadOnly },
        { new IOException("Connection reset by peer", 104), null },
        { new InvalidOperationException("Error writing grain state", Postgres("53100", "could not extend file")), CoordinationException.StorageFull },
        { new AggregateException(new TimeoutException(), new SqliteException("full", SQLitePCL.raw.SQLITE_FULL)), CoordinationException.StorageFull },
        { new InvalidOperationException("a bug"), null },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public void A_full_or_read_only_store_is_recognised_on_every_driver_and_nothing_else_is(Exception fault, string? reason) =>
        Assert.Equal(reason, StoreFault.Classify(fault));

    private static PostgresException Postgres(string sqlState, string message) => new(message, "ERROR", "ERROR", sqlState);
}
