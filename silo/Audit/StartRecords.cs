using Coordination.Domain;
using Coordination.Silo.Grains;

namespace Coordination.Silo.Audit;

/// <summary>
/// Appends a command's start record to the chain ahead of the command's first change, for grains
/// whose first change is not a write of their own that could carry the record (a unit's report, an
/// incident's commitment, where the unit's write comes first).
/// </summary>
internal static class StartRecords
{
    /// <summary>
    /// Durable when it returns. The audit grain reactivating after a failed append (it deactivates to
    /// re-read the chain's head) rejects calls for a moment: as the gateway's writer does, it is tried
    /// again briefly; then the command is refused with nothing changed. The log's own refusals (a full
    /// store, say) are already the project's errors and pass as they are.
    /// </summary>
    public static async Task Append(IGrainFactory grains, AuditRecord start, string what)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await grains.Reference<IAuditLogGrain>(IAuditLogGrain.Key).Append([start]);
                return;
            }
            catch (Exception e) when (e is not CoordinationException)
            {
                if (attempt == GrainTuning.AuditAttempts)
                {
                    throw CoordinationException.Unavailable($"the audit log could not record {what}'s start ({e.Message}); nothing was changed, retry");
                }

                await Task.Delay(GrainTuning.AuditRetryStep * attempt);
            }
        }
    }
}
