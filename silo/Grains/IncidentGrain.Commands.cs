using Coordination.Domain;

namespace Coordination.Silo.Grains;

/// <summary>
/// The police's commands on an incident. Each is idempotent (a retry with the same ids gets the
/// first result) and starts by finishing whatever a stopped silo left half-done (<see cref="Resume"/>).
/// </summary>
internal sealed partial class IncidentGrain
{
    public async Task<IncidentView> Open(OpenIncident command)
    {
        TakeStart();
        if (S.Opening is { } existing)
        {
            if (existing with { Actor = command.Actor } != command)
            {
                throw new CoordinationException(ErrorKind.AlreadyExists, $"request id '{command.RequestId}' already opened incident {IncidentId} with other details", "request_id");
            }
        }
        else
        {
            S.Opening = command;
            S.OpenedAt = Now;
            Record(TimelineKind.Opened, command.Actor, command.Exercise ? "exercise" : null);
            await Save();
        }

        // Also on a retry: the first attempt may have stopped before the district heard of it.
        await GrainFactory.Reference<IDistrictGrain>(Opening.District).IncidentOpened(IncidentId);

        // The board line sent with the save above may have arrived before the district listed the incident.
        TellDistrict(again: true);
        return await Get();
    }

    public async Task<RequestView> RequestCapacity(RequestCapacity command)
    {
        await Resume();
        EnsureOpen();
        var request = await FindAnyRequest(command.RequestId);
        if (request is not null)
        {
            if (request.Command with { Actor = command.Actor } != command)
            {
                throw new CoordinationException(ErrorKind.AlreadyExists, $"request id '{command.RequestId}' was already used in this incident for another request", "request_id");
            }
        }
        else
        {
            // Written with its outcome (its first commitment, offer or settling), not on its own: one write
            // fewer per request. A new request is always written, so its start record goes ahead now,
            // beside the district's and company's answers (see BeginStartAhead).
            request = new CapacityRequestState { Command = command, End = command.Start + command.Duration };
            Archive.Add(request);
            Record(TimelineKind.Requested, command.Actor, null, request, guards: command.Guards);
            BeginStartAhead();
        }

        // A retry also resumes allocation if the first attempt was cut short.
        await Allocate(request);
        return View(request);
    }

    public async Task<RequestView> CancelRequest(string requestId, string actor, string? reason)
    {
        await Resume();
        EnsureOpen();
        var request = await GetRequest(requestId);
        if (request.Status != RequestStatus.Cancelled)
        {
            // A completed request may be archived; cancelling changes it, so it is live again.
            BringBack(request);
            var withdrawn = Withdraw(request, actor, "request cancelled");
            await RunRelease(new ReleaseIntent(ReleaseCause.CancelRequest, actor, reason ?? "request cancelled", reason, requestId, Held(request), withdrawn));
        }

        return View(request);
    }

    public async Task<RequestView> Extend(string requestId, DateTimeOffset until, string actor)
    {
        await Resume();
        EnsureOpen();
        var request = await GetRequest(requestId);
        if (until == request.End)
        {
            return View(request);
        }

        if (until < request.End)
        {
            throw CoordinationException.Invalid("until", $"must be later than the current end {request.End:u}; release units to end early");
        }

        if (request.Status is RequestStatus.Cancelled or RequestStatus.Completed)
        {
            throw CoordinationException.Precondition($"request '{requestId}' is {request.Status.ToString().ToLowerInvariant()}");
        }

        request.End = until;
        foreach (var assignment in request.Assignments.Where(a => a.Status != AssignmentStatus.Released))
        {
            assignment.Until = until;
        }

        Record(TimelineKind.Extended, actor, $"until {until:u}", request);
        await Save();
        return View(request);
    }

    public async Task<IncidentView> Release(string[] unitKeys, string actor, string? reason)
    {
        await Resume();
        EnsureOpen();
        var wanted = unitKeys.ToHashSet(StringComparer.Ordinal);
        var unknown = wanted.Where(k => !S.Requests.Concat(S.Archived).Any(r => r.Assignments.Exists(a => a.UnitKey == k))).ToList();
        if (unknown.Count > 0 && Archive.HasPages)
        {
            // Only a release naming units the live requests never had reads the archive (a repeated release, or a mistake).
            var archived = (await ArchivedPages()).SelectMany(p => p).SelectMany(r => r.Assignments).Select(a => a.UnitKey).ToHashSet(StringComparer.Ordinal);
            unknown.RemoveAll(archived.Contains);
        }

        if (unknown.Count > 0)
        {
            throw CoordinationException.NotFound($"unit {unknown[0]} was never assigned to incident {IncidentId}");
        }

        var releasing = S.Requests.SelectMany(r => Held(r, a => wanted.Count == 0 || wanted.Contains(a.UnitKey))).ToArray();
        if (releasing.Length > 0)
        {
            await RunRelease(new ReleaseIntent(ReleaseCause.Release, actor, reason, reason, null, releasing, []));
        }

        return await Get();
    }

    public async Task<IncidentView> Close(string actor, string? reason)
    {
        _ = Opening;
        await Resume();
        if (S.Status == IncidentStatus.Open)
        {
            var withdrawn = S.Requests.SelectMany(r => Withdraw(r, actor, "incident closed")).ToArray();
            await RunRelease(new ReleaseIntent(ReleaseCause.CloseIncident, actor, "incident closed", reason, null, [.. S.Requests.SelectMany(r => Held(r))], withdrawn));
        }

        // Also on a retry: the first attempt may have stopped before the district heard of it.
        await GrainFactory.Reference<IDistrictGrain>(Opening.District).IncidentClosed(IncidentId);
        return await Get();
    }

    public async Task AttachObservation(string observationId, string category, string actor)
    {
        _ = Opening;
        await Resume();
        if (S.Observations.Contains(observationId))
        {
            return;
        }

        EnsureOpen();
        S.Observations.Add(observationId);
        Record(TimelineKind.Observation, actor, category, companyId: ObservationIds.Company(observationId), observationId: observationId);
        await Save();
    }

    /// <summary>A company reports its unit's progress through the incident, which tells the unit.</summary>
    public async Task<AssignmentView> ReportProgress(string companyId, string unitId, AssignmentProgress progress)
    {
        await Resume();
        EnsureOpen();
        var key = UnitKey.Of(companyId, unitId);
        var (request, assignment) = S.Requests
            .SelectMany(r => r.Assignments.Where(a => a.UnitKey == key && a.Status != AssignmentStatus.Released).Select(a => (r, a)))
            .FirstOrDefault();
        if (assignment is null)
        {
            throw CoordinationException.Precondition($"unit '{unitId}' is not assigned to incident {IncidentId}");
        }

        var actor = $"company:{companyId}";
        switch (progress)
        {
            case AssignmentProgress.EnRoute or AssignmentProgress.OnScene:
                var status = progress == AssignmentProgress.EnRoute ? AssignmentStatus.EnRoute : AssignmentStatus.OnScene;
                if (assignment.Status == status)
                {
                    break;
                }

                if (assignment.Status == AssignmentStatus.OnScene)
                {
                    throw CoordinationException.Precondition($"unit '{unitId}' is already on scene");
                }

                await Unit(key).Progress(assignment.OfferId, status == AssignmentStatus.EnRoute ? UnitStatus.EnRoute : UnitStatus.OnScene);
                assignment.Status = status;
                Record(status == AssignmentStatus.EnRoute ? TimelineKind.EnRoute : TimelineKind.OnScene, actor, null, request, assignment.OfferId, companyId, [unitId], assignment.Guards);
                await Save();
                break;

            case AssignmentProgress.Returned:
                await RunRelease(new ReleaseIntent(ReleaseCause.Returned, actor, "returned", null, null, Held(request, a => a == assignment), []));
                break;
        }

        return View(assignment, request);
    }
}
