using Coordination.Domain;
using Coordination.Gateway.Security;
using Grpc.Core;
using Proto = Coordination.Api.V1;

namespace Coordination.Gateway.Services;

/// <summary>The police operations centres' API.</summary>
internal sealed class PoliceApi(IGrainFactory grains, TimeProvider time) : Proto.PoliceService.PoliceServiceBase
{
    public override async Task<Proto.CapacityReport> GetCapacity(Proto.GetCapacityRequest request, ServerCallContext context)
    {
        switch (request.Scope)
        {
            case Proto.CapacityScope.National:
                if (request.DistrictId.Length > 0)
                {
                    throw CoordinationException.Invalid("district_id", "must be empty for the national scope");
                }

                context.Caller().CapacityReader([], national: true);
                var national = await grains.Reference<INationalGrain>(INationalGrain.Key).GetCapacity();
                return national.ToApi(request.Scope);

            case Proto.CapacityScope.District:
                var district = Validate.District(request.DistrictId, "district_id");
                context.Caller().CapacityReader([district], national: false);
                var figures = await grains.Reference<IDistrictGrain>(district).GetCapacity();
                return figures.ToApi(request.Scope);

            case Proto.CapacityScope.DistrictAndNeighbours:
                var centre = ReferenceData.Current.DistrictsById[Validate.District(request.DistrictId, "district_id")];
                context.Caller().CapacityReader(centre.Neighbours.Prepend(centre.Id), national: false);
                // Asked here rather than by one district of the others, so no district ever waits on another.
                var parts = await Task.WhenAll(centre.Neighbours.Prepend(centre.Id).Select(d => grains.Reference<IDistrictGrain>(d).GetCapacity()));
                return CapacityFigures.Sum(parts, time.GetUtcNow()).ToApi(request.Scope);

            default:
                throw CoordinationException.Invalid("scope", "must be DISTRICT, DISTRICT_AND_NEIGHBOURS or NATIONAL");
        }
    }

    public override Task<Proto.ListDistrictsResponse> ListDistricts(Proto.ListDistrictsRequest request, ServerCallContext context) =>
        Task.FromResult(ApiMapping.Districts());

    public override Task<Proto.ListCapabilitiesResponse> ListCapabilities(Proto.ListCapabilitiesRequest request, ServerCallContext context) =>
        Task.FromResult(ApiMapping.Capabilities());

    public override async Task<Proto.Company> SetFrameworkAgreement(Proto.SetFrameworkAgreementRequest request, ServerCallContext context)
    {
        context.Caller().NationalPolice();
        var companyId = Validate.Id(request.CompanyId, "company_id");
        var priorities = request.Priorities.Select((p, i) => p.ToDomain($"priorities[{i}]")).Distinct().ToArray();
        var company = await grains.Reference<ICompanyGrain>(companyId).SetFrameworkAgreement(priorities);
        return company.ToApi();
    }

    public override async Task<Proto.Incident> OpenIncident(Proto.OpenIncidentRequest request, ServerCallContext context)
    {
        var district = Validate.District(request.DistrictId, "district_id");
        var caller = context.Caller();
        caller.PoliceIn(district);
        var command = new OpenIncident(
            Validate.Id(request.RequestId, "request_id"),
            district,
            Validate.RequiredText(request.Title, "title"),
            Validate.Position(request.Location.ToDomain(), "location") ?? throw CoordinationException.Invalid("location", "is required"),
            request.Priority.ToDomain("priority"),
            request.Exercise,
            caller.Actor,
            request.Exercise && request.UsesLiveCapacity);
        var incident = await grains.Reference<IIncidentGrain>(IncidentIds.Of(district, command.RequestId)).Open(command);
        return incident.ToApi();
    }

    public override async Task<Proto.CapacityRequest> RequestCapacity(Proto.RequestCapacityRequest request, ServerCallContext context)
    {
        var incidentId = Validate.IncidentId(request.IncidentId, "incident_id");
        var caller = Police(context, incidentId);
        var command = Validate.CapacityRequest(new RequestCapacity(
            request.RequestId,
            request.Capability,
            request.Guards,
            request.Location.ToDomain() ?? throw CoordinationException.Invalid("location", "is required"),
            request.Start.ToDomainOrNull("start") ?? throw CoordinationException.Invalid("start", "is required"),
            TimeSpan.FromMinutes(request.DurationMinutes),
            request.AllowPartial,
            request.AllowNeighbours,
            caller.Actor));
        var created = await Incident(incidentId).RequestCapacity(command);
        return created.ToApi(incidentId);
    }

    public override async Task<Proto.Incident> GetIncident(Proto.GetIncidentRequest request, ServerCallContext context)
    {
        var incidentId = Validate.IncidentId(request.IncidentId, "incident_id");
        context.Caller().ReaderOf(IncidentIds.District(incidentId));
        return (await Incident(incidentId).Get()).ToApi();
    }

    public override async Task<Proto.ListIncidentsResponse> ListIncidents(Proto.ListIncidentsRequest request, ServerCallContext context)
    {
        var district = Validate.District(request.DistrictId, "district_id");
        context.Caller().ReaderOf(district);
        var ids = await grains.Reference<IDistrictGrain>(district).ListIncidents(request.IncludeClosed);
        var incidents = await Task.WhenAll(ids.Select(id => Incident(id).Get()));
        return new Proto.ListIncidentsResponse { Incidents = { incidents.Select(i => i.ToApi()) } };
    }

    public override async Task<Proto.CapacityRequest> CancelRequest(Proto.CancelRequestRequest request, ServerCallContext context)
    {
        var incidentId = Validate.IncidentId(request.IncidentId, "incident_id");
        var caller = Police(context, incidentId);
        var cancelled = await Incident(incidentId).CancelRequest(
            Validate.Id(request.RequestId, "request_id"), caller.Actor, Validate.OptionalName(request.Reason, "reason"));
        return cancelled.ToApi(incidentId);
    }

    public override async Task<Proto.CapacityRequest> ExtendAssignment(Proto.ExtendAssignmentRequest request, ServerCallContext context)
    {
        var incidentId = Validate.IncidentId(request.IncidentId, "incident_id");
        var caller = Police(context, incidentId);
        var until = request.Until.ToDomainOrNull("until") ?? throw CoordinationException.Invalid("until", "is required");
        var extended = await Incident(incidentId).Extend(Validate.Id(request.RequestId, "request_id"), until, caller.Actor);
        return extended.ToApi(incidentId);
    }

    public override async Task<Proto.Incident> ReleaseUnits(Proto.ReleaseUnitsRequest request, ServerCallContext context)
    {
        var incidentId = Validate.IncidentId(request.IncidentId, "incident_id");
        var caller = Police(context, incidentId);
        var units = request.Units
            .Select((u, i) => UnitKey.Of(Validate.Id(u.CompanyId, $"units[{i}].company_id"), Validate.Id(u.UnitId, $"units[{i}].unit_id")))
            .ToArray();
        var incident = await Incident(incidentId).Release(units, caller.Actor, Validate.OptionalName(request.Reason, "reason"));
        return incident.ToApi();
    }

    public override async Task<Proto.Incident> CloseIncident(Proto.CloseIncidentRequest request, ServerCallContext context)
    {
        var incidentId = Validate.IncidentId(request.IncidentId, "incident_id");
        var caller = Police(context, incidentId);
        var incident = await Incident(incidentId).Close(caller.Actor, Validate.OptionalName(request.Reason, "reason"));
        return incident.ToApi();
    }

    private IIncidentGrain Incident(string incidentId) => grains.Reference<IIncidentGrain>(incidentId);

    /// <summary>Police who may act on this incident: those covering its district.</summary>
    private static Caller Police(ServerCallContext context, string incidentId)
    {
        var caller = context.Caller();
        caller.PoliceIn(IncidentIds.District(incidentId));
        return caller;
    }

    public override async Task ExportAudit(Proto.ExportAuditRequest request, IServerStreamWriter<Proto.AuditEntry> responseStream, ServerCallContext context)
    {
        context.Caller().NationalPolice();
        var incidentId = request.IncidentId.Length > 0 ? Validate.IncidentId(request.IncidentId, "incident_id") : null;
        var from = request.From.ToDomainOrNull("from");
        var to = request.To.ToDomainOrNull("to");
        if (from is not null && to is not null && to <= from)
        {
            throw CoordinationException.Invalid("to", "must be later than from");
        }

        const int Page = 1000;
        var log = grains.Reference<IAuditLogGrain>(IAuditLogGrain.Key);
        var after = 0L;
        IReadOnlyList<AuditEntry> entries;
        do
        {
            entries = await log.Read(incidentId, from, to, after, Page);
            foreach (var e in entries)
            {
            await responseStream.WriteAsync(new Proto.AuditEntry
            {
                Sequence = e.Sequence, At = e.At.ToApi(), Subject = e.Subject, Role = e.Role, Scope = e.Scope, Rpc = e.Rpc,
                RequestId = e.RequestId ?? "", IncidentId = e.IncidentId ?? "", Outcome = e.Outcome, Detail = e.Detail ?? "",
                PreviousHash = e.PreviousHash, Hash = e.Hash, Call = e.Call ?? "",
            }, context.CancellationToken);
                after = e.Sequence;
            }
        }
        while (entries.Count == Page);
    }

    public override async Task<Proto.Company> GetCompany(Proto.GetCompanyRequest request, ServerCallContext context)
    {
        var companyId = Validate.Id(context.Caller().CompanyReader(request.CompanyId), "company_id");
        var company = await grains.Reference<ICompanyGrain>(companyId).Get();
        return company.Registered ? company.ToApi() : throw CoordinationException.NotFound($"company '{companyId}' has registered no units");
    }

    public const int DefaultCompaniesPage = 100;
    public const int MaxCompaniesPage = 500;

    /// <summary>
    /// A page of the roster of companies, each read from its own grain. The page token is the last
    /// company id of the previous page, so a company registering meanwhile neither shifts nor repeats
    /// a page. A company on the roster whose registration then failed is left out (it counts for nothing).
    /// </summary>
    public override async Task<Proto.ListCompaniesResponse> ListCompanies(Proto.ListCompaniesRequest request, ServerCallContext context)
    {
        context.Caller().NationalPolice();
        var size = request.PageSize switch
        {
            < 0 => throw CoordinationException.Invalid("page_size", $"must not be negative (was {request.PageSize})"),
            0 => DefaultCompaniesPage,
            _ => Math.Min(request.PageSize, MaxCompaniesPage),
        };
        var after = request.PageToken.Length > 0 ? Validate.Id(request.PageToken, "page_token") : null;

        // One more than the page, to know whether another page follows.
        var ids = await grains.Reference<ICompanyRosterGrain>(ICompanyRosterGrain.Key).List(after, size + 1);
        var page = ids.Take(size).ToArray();
        var companies = await Task.WhenAll(page.Select(id => grains.Reference<ICompanyGrain>(id).Get()));
        return new Proto.ListCompaniesResponse
        {
            Companies = { companies.Where(c => c.Registered).Select(c => c.ToApi()) },
            NextPageToken = ids.Count > size ? page[^1] : "",
        };
    }

    public override async Task<Proto.Company> SetCompanyLicence(Proto.SetCompanyLicenceRequest request, ServerCallContext context)
    {
        context.Caller().NationalPolice();
        var companyId = Validate.Id(request.CompanyId, "company_id");
        var licence = request.Licence.ToDomain("licence");
        var company = await grains.Reference<ICompanyGrain>(companyId).SetLicence(licence, Validate.OptionalName(request.Reason, "reason"));
        return company.ToApi();
    }
}
