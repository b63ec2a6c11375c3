using Coordination.Domain;
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

                var national = await grains.GetGrain<INationalGrain>(INationalGrain.Key).GetCapacity();
                return national.ToApi(request.Scope);

            case Proto.CapacityScope.District:
                var district = Validate.District(request.DistrictId, "district_id");
                var figures = await grains.GetGrain<IDistrictGrain>(district).GetCapacity();
                return figures.ToApi(request.Scope);

            case Proto.CapacityScope.DistrictAndNeighbours:
                var centre = ReferenceData.Current.DistrictsById[Validate.District(request.DistrictId, "district_id")];
                // Asked here rather than by one district of the others, so no district ever waits on another.
                var parts = await Task.WhenAll(centre.Neighbours.Prepend(centre.Id).Select(d => grains.GetGrain<IDistrictGrain>(d).GetCapacity()));
                return CapacityFigures.Sum(parts, time.GetUtcNow()).ToApi(request.Scope);

            default:
                throw CoordinationException.Invalid("scope", "must be DISTRICT, DISTRICT_AND_NEIGHBOURS or NATIONAL");
        }
    }

    public override Task<Proto.ListDistrictsResponse> ListDistricts(Proto.ListDistrictsRequest request, ServerCallContext context) =>
        Task.FromResult(new Proto.ListDistrictsResponse { Districts = { ReferenceData.Current.Districts.Select(d => d.ToApi()) } });

    public override Task<Proto.ListCapabilitiesResponse> ListCapabilities(Proto.ListCapabilitiesRequest request, ServerCallContext context) =>
        Task.FromResult(new Proto.ListCapabilitiesResponse
        {
            Capabilities = { ReferenceData.Current.Capabilities.Select(c => new Proto.Capability { Id = c.Id, Name = c.Name }) },
            ForbiddenTasks = { ReferenceData.Current.ForbiddenTasks.Select(f => new Proto.ForbiddenTask { Id = f.Id, Name = f.Name, Reason = f.Reason }) },
        });

    public override async Task<Proto.Company> SetCompanyLicence(Proto.SetCompanyLicenceRequest request, ServerCallContext context)
    {
        var companyId = Validate.Id(request.CompanyId, "company_id");
        var licence = request.Licence.ToDomain("licence");
        var company = await grains.GetGrain<ICompanyGrain>(companyId).SetLicence(licence, Validate.OptionalName(request.Reason, "reason"));
        return company.ToApi();
    }
}
