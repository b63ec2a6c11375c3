using System.Data.Common;
using System.Globalization;
using Coordination.Domain;

namespace Coordination.Silo.Audit;

/// <summary>The audit log's columns, read the same way from either database.</summary>
internal static class AuditRows
{
    public const string Select = "SELECT Sequence, At, Subject, Role, Scope, Rpc, RequestId, IncidentId, Outcome, Detail, PreviousHash, Hash FROM AuditLog";

    public static AuditEntry Read(DbDataReader r) => new(
        r.GetInt64(0),
        DateTimeOffset.Parse(r.GetString(1), CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind),
        r.GetString(2), r.GetString(3), r.GetString(4), r.GetString(5),
        r.IsDBNull(6) ? null : r.GetString(6),
        r.IsDBNull(7) ? null : r.GetString(7),
        r.GetString(8),
        r.IsDBNull(9) ? null : r.GetString(9),
        r.GetString(10), r.GetString(11));
}
