namespace Coordination.Bench.Figures;

/// <summary>
/// "Today's" maximum capacity-request rates that issue #13's goal multiplies by three. Read from the
/// record, not measured in the run: the code of that day is not in this build. Both are the higher
/// (stricter) reading available.
/// </summary>
internal static class IssueBaseline
{
    /// <summary>SQLite: the full run BENCHMARKS.md recorded when the issue was filed (64 clients, 50,400 units).</summary>
    public const double SqliteRate = 1039;

    public const string SqliteWhen = "the rate recorded when issue #13 was filed";

    /// <summary>
    /// PostgreSQL: the one figure on record before the issue (BENCHMARKS.md, session 3, one run with
    /// `Maximum Pool Size=40`, before the audit rework). The harness's own first figure (session 9, the
    /// default pool) was 122-129 req/s: lower, so the older one sets the stricter goal.
    /// </summary>
    public const double PostgresRate = 508;

    public const string PostgresWhen = "the PostgreSQL rate on record before the issue (session 3)";
}
