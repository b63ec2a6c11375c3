using System.Diagnostics.Metrics;

namespace Coordination.Silo.Persistence;

/// <summary>
/// What the silo writes, as .NET metrics: an operator watches them live with
/// <c>dotnet-counters monitor -n Coordination.Silo --counters Coordination.Storage</c>, and the
/// benchmark divides them by the requests it made (its per-request profile). Counting is a few
/// atomic adds per write; nothing is recorded while nobody listens.
/// </summary>
public static class StorageMetrics
{
    public const string MeterName = "Coordination.Storage";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Writes = Meter.CreateCounter<long>(
        "coordination.storage.writes", "{write}", "Grain state writes that reached the store, by state name");

    private static readonly Counter<long> WrittenBytes = Meter.CreateCounter<long>(
        "coordination.storage.written", "By", "Bytes of serialized grain state written, by state name");

    private static readonly Counter<long> Commits = Meter.CreateCounter<long>(
        "coordination.storage.commits", "{commit}", "Transactions committed by the group writers (SQLite: one fsync each; PostgreSQL: one WAL flush each)");

    private static readonly Histogram<double> CommitTime = Meter.CreateHistogram<double>(
        "coordination.storage.commit.duration", "ms", "One group's time from its first statement to its commit (SQLite: with the fsync); every write in the group waits for all of it");

    private static readonly Counter<long> AuditRecords = Meter.CreateCounter<long>(
        "coordination.audit.records", "{record}", "Records appended to the audit chain");

    private static readonly Counter<long> AuditAppends = Meter.CreateCounter<long>(
        "coordination.audit.appends", "{append}", "Batches appended to the audit chain (one store piece each)");

    internal static void Written(string stateName) => Writes.Add(1, new KeyValuePair<string, object?>("state", stateName));

    internal static void Serialized(string stateName, int bytes) => WrittenBytes.Add(bytes, new KeyValuePair<string, object?>("state", stateName));

    internal static void Committed(TimeSpan took)
    {
        Commits.Add(1);
        CommitTime.Record(took.TotalMilliseconds);
    }

    internal static void Appended(int records)
    {
        AuditAppends.Add(1);
        AuditRecords.Add(records);
    }
}
