using Coordination.Domain;
using Coordination.Silo.Grains;

namespace Coordination.Cli;

/// <summary>
/// Holds the audit log against what the grains recorded. A chain can be intact and still miss
/// records (a record that was never written leaves no broken link), so the state is the witness:
/// every change a caller made — each step on an incident's timeline by a police operator or a
/// company, each unit status only a company can set — must have a record of that caller asking,
/// written before the change; and every command the log says succeeded must show in the state.
/// Pure: <see cref="AuditVerify"/> loads the log and the grain states from the database.
/// </summary>
public static class AuditCrossCheck
{
    // Clocks of gateways and silos on different machines may disagree a little; a record may be this much "after" its change.
    private static readonly TimeSpan Skew = TimeSpan.FromSeconds(5);

    // A company status report is written (Started) before the unit changes; it is not older than this.
    private static readonly TimeSpan ReportWindow = TimeSpan.FromMinutes(2);

    private const string Police = "/coordination.v1.PoliceService/";
    private const string Company = "/coordination.v1.CompanyService/";
    private const string Observations = "/coordination.v1.ObservationService/";

    public sealed record Findings(IReadOnlyList<string> InDoubt, IReadOnlyList<string> Unrecorded, IReadOnlyList<string> NotInState)
    {
        public bool Gaps => Unrecorded.Count > 0 || NotInState.Count > 0;
    }

    /// <summary>An incident as stored: its state and its whole timeline (sealed pages and tail).</summary>
    /// <param name="Requests">Every request the incident has, archived ones included (its state's live list holds only those in play).</param>
    public sealed record StoredIncident(string Id, IncidentState State, IReadOnlyList<TimelineEvent> Timeline, IReadOnlyList<CapacityRequestState> Requests);

    public static Findings Check(IReadOnlyList<AuditEntry> log, IReadOnlyList<StoredIncident> incidents, IReadOnlyDictionary<string, GuardUnitState> units)
    {
        // An incident keeps a command's start record beside its change until the record is in the chain
        // (a crash can leave it there): such a record counts as written.
        var chained = log.Where(e => e.Call is not null).Select(e => e.Call!).ToHashSet(StringComparer.Ordinal);
        log = [.. log, .. incidents.SelectMany(i => i.State.AuditOutbox)
            .Where(r => r.Call is null || !chained.Contains(r.Call))
            .Select(r => new AuditEntry(0, r.At, r.Subject, r.Role, r.Scope, r.Rpc, r.RequestId, r.IncidentId, r.Outcome, r.Detail, "", "", r.Call))];
        var ended = log.Where(e => e.Call is not null && e.Outcome != AuditEntry.Started).Select(e => e.Call!).ToHashSet(StringComparer.Ordinal);
        var inDoubt = log.Where(e => e.Outcome == AuditEntry.Started && !ended.Contains(e.Call!))
            .Select(e => $"{(e.Sequence == 0 ? "(kept by its incident, not yet in the chain)" : $"#{e.Sequence}")} {e.At:O} {Short(e.Rpc)} by {e.Role}:{e.Subject}{(e.IncidentId is null ? "" : $" (incident {e.IncidentId})")}: it may have taken effect; its caller never heard")
            .ToList();

        // A change is covered by the record of its command written before it (Started) or, for calls from before
        // records came in pairs, by its outcome record. Only attempts and successes can have caused a change.
        var attempts = log.Where(e => e.Outcome is AuditEntry.Started or "OK").ToList();
        var unrecorded = new List<string>();
        foreach (var incident in incidents)
        {
            foreach (var step in incident.Timeline)
            {
                if (Rpcs(step) is not { } rpcs || HasRecord(attempts, incident.Id, step, rpcs))
                {
                    continue;
                }

                unrecorded.Add($"incident {incident.Id}: {step.Kind} #{step.Sequence} at {step.At:O} by {step.Actor}{(step.RequestId is null ? "" : $" (request {step.RequestId})")} has no audit record");
            }
        }

        foreach (var (key, unit) in units.OrderBy(u => u.Key, StringComparer.Ordinal))
        {
            // Only a company report sets these (a new unit starts unavailable: its registration is the command).
            if (!unit.Registered || unit.Status is not (UnitStatus.Unavailable or UnitStatus.OutOfService or UnitStatus.EnRoute or UnitStatus.OnScene))
            {
                continue;
            }

            var company = $"company:{UnitKey.Parse(key).CompanyId}";
            var covered = attempts.Any(e => e.Scope == company
                && e.Rpc is Company + "ReportUnit" or Company + "StreamUnitReports" or Company + "RegisterUnits" or Company + "ReportAssignmentProgress"
                && e.At <= unit.StatusChangedAt + Skew && e.At >= unit.StatusChangedAt - ReportWindow);
            if (!covered)
            {
                unrecorded.Add($"unit {key}: {unit.Status} since {unit.StatusChangedAt:O} has no audit record of its company reporting it");
            }
        }

        var byId = incidents.ToDictionary(i => i.Id, StringComparer.Ordinal);
        var notInState = new List<string>();
        foreach (var e in log.Where(e => e.Outcome == "OK" && e.IncidentId is not null))
        {
            if (Missing(e, byId.GetValueOrDefault(e.IncidentId!)) is { } missing)
            {
                notInState.Add($"#{e.Sequence} {e.At:O} {Short(e.Rpc)} by {e.Role}:{e.Subject} answered OK, but {missing}");
            }
        }

        return new Findings(inDoubt, unrecorded, notInState);
    }

    /// <summary>The commands that can have caused a timeline step; null for the system's own steps (matching, deadlines, framework agreements).</summary>
    private static string[]? Rpcs(TimelineEvent step)
    {
        if (step.Actor.StartsWith("police:", StringComparison.Ordinal))
        {
            return step.Kind switch
            {
                TimelineKind.Opened => [Police + "OpenIncident", Observations + "AttachObservation"],
                TimelineKind.Observation => [Observations + "AttachObservation"],
                TimelineKind.Requested => [Police + "RequestCapacity"],
                TimelineKind.Cancelled => [Police + "CancelRequest"],
                TimelineKind.Extended => [Police + "ExtendAssignment"],
                TimelineKind.Closed => [Police + "CloseIncident"],
                TimelineKind.Released or TimelineKind.Withdrawn => [Police + "ReleaseUnits", Police + "CancelRequest", Police + "CloseIncident"],
                _ => [Police + "OpenIncident", Police + "RequestCapacity", Police + "CancelRequest", Police + "ExtendAssignment", Police + "ReleaseUnits", Police + "CloseIncident"],
            };
        }

        if (step.Actor.StartsWith("company:", StringComparison.Ordinal))
        {
            return step.Kind switch
            {
                TimelineKind.Committed or TimelineKind.Declined => [Company + "AnswerOffer"],
                TimelineKind.Observation => [Observations + "ReportObservation"],
                _ => [Company + "ReportAssignmentProgress", Company + "ReportUnit", Company + "StreamUnitReports"],
            };
        }

        return null;
    }

    private static bool HasRecord(List<AuditEntry> attempts, string incidentId, TimelineEvent step, string[] rpcs)
    {
        var police = step.Actor.StartsWith("police:", StringComparison.Ordinal);
        foreach (var e in attempts)
        {
            if (e.At > step.At + Skew || !rpcs.Contains(e.Rpc, StringComparer.Ordinal))
            {
                continue;
            }

            // Police commands name their incident, and the operator who gave them; a company's progress reports
            // may come as plain status reports that name no incident, so the company must match.
            var matches = police
                ? e.IncidentId == incidentId && step.Actor == $"police:{e.Subject}" && (step.Kind != TimelineKind.Requested || e.RequestId == step.RequestId)
                : e.Scope == step.Actor && (e.IncidentId is null || e.IncidentId == incidentId);
            if (matches)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>What an OK record says happened that the incident's state does not show; null when it shows.</summary>
    private static string? Missing(AuditEntry e, StoredIncident? incident)
    {
        if (e.Rpc is not (Police + "OpenIncident" or Police + "RequestCapacity" or Police + "CancelRequest" or Police + "CloseIncident" or Company + "AnswerOffer"))
        {
            return null;
        }

        if (incident?.State.Opening is null)
        {
            return $"incident {e.IncidentId} is not in the state";
        }

        var request = e.RequestId is null ? null : incident.Requests.FirstOrDefault(r => r.Command.RequestId == e.RequestId);
        return e.Rpc switch
        {
            Police + "RequestCapacity" when request is null => $"incident {e.IncidentId} has no request {e.RequestId}",
            Police + "CancelRequest" when request?.Status != RequestStatus.Cancelled => $"request {e.RequestId} of incident {e.IncidentId} is not cancelled",
            Police + "CloseIncident" when incident.State.Status != IncidentStatus.Closed && incident.State.PendingRelease is null => $"incident {e.IncidentId} is not closed",
            Company + "AnswerOffer" when !incident.Requests.SelectMany(r => r.Offers).Any(o => o.AnswerId == e.RequestId || o.Intent?.AnswerId == e.RequestId)
                => $"incident {e.IncidentId} holds no answer {e.RequestId}",
            _ => null,
        };
    }

    private static string Short(string rpc) => rpc[(rpc.LastIndexOf('/') + 1)..];
}
