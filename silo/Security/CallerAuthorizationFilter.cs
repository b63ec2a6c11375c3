using Coordination.Domain;

namespace Coordination.Silo.Security;

/// <summary>
/// The silo's own check of every call that comes straight from a gateway: the caller (set by the
/// gateway from the token) must be allowed this method on this grain. It is written independently
/// of the gateway's rules, so one layer's mistake does not open the door. Calls that grains make to
/// each other are not entry calls: the marker is removed before the grain runs.
/// </summary>
internal sealed class CallerAuthorizationFilter : IIncomingGrainCallFilter
{
    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (RequestContext.Get(CallerContext.EntryKey) is not true)
        {
            return context.Invoke();
        }

        RequestContext.Remove(CallerContext.EntryKey);
        var caller = RequestContext.Get(CallerContext.CallerKey) as Caller
            ?? throw Denied("a call from the gateway carried no caller");
        var key = context.TargetId.Key.ToString() ?? "";
        var method = context.InterfaceMethod?.Name ?? "";
        var allowed = context.InterfaceMethod?.DeclaringType?.Name switch
        {
            nameof(IGuardUnitGrain) => method is nameof(IGuardUnitGrain.ReportStatus) or nameof(IGuardUnitGrain.Ping) or nameof(IGuardUnitGrain.Get)
                && OwnCompany(caller, UnitKey.Parse(key).CompanyId),
            nameof(ICompanyGrain) => method switch
            {
                nameof(ICompanyGrain.RegisterUnits) or nameof(ICompanyGrain.ListUnits) or nameof(ICompanyGrain.Watch) or nameof(ICompanyGrain.Unwatch) => OwnCompany(caller, key),
                nameof(ICompanyGrain.Get) => OwnCompany(caller, key) || caller is { Role: CallerRole.Police, National: true },
                nameof(ICompanyGrain.SetLicence) or nameof(ICompanyGrain.SetFrameworkAgreement) => caller is { Role: CallerRole.Police, National: true },
                _ => false,
            },
            nameof(IIncidentGrain) => method switch
            {
                nameof(IIncidentGrain.Open) or nameof(IIncidentGrain.RequestCapacity) or nameof(IIncidentGrain.CancelRequest)
                    or nameof(IIncidentGrain.Extend) or nameof(IIncidentGrain.Release) or nameof(IIncidentGrain.Close) =>
                    caller.Role == CallerRole.Police && caller.Covers(IncidentIds.District(key)),
                nameof(IIncidentGrain.Get) => caller.Role is CallerRole.Police or CallerRole.Viewer && caller.Covers(IncidentIds.District(key)),
                nameof(IIncidentGrain.AnswerOffer) => context.Request.GetArgument(1) is OfferAnswer answer && OwnCompany(caller, answer.CompanyId),
                nameof(IIncidentGrain.ReportProgress) => context.Request.GetArgument(0) is string company && OwnCompany(caller, company),
                _ => false,
            },
            nameof(IDistrictGrain) => method is nameof(IDistrictGrain.GetCapacity) or nameof(IDistrictGrain.ListIncidents)
                && (caller.Role == CallerRole.Police || (caller.Role == CallerRole.Viewer && caller.Covers(key))),
            nameof(INationalGrain) => method == nameof(INationalGrain.GetCapacity) && (caller.Role == CallerRole.Police || caller is { Role: CallerRole.Viewer, National: true }),
            nameof(ICompanyRosterGrain) => method == nameof(ICompanyRosterGrain.List) && caller is { Role: CallerRole.Police, National: true },
            nameof(IAuditLogGrain) => method == nameof(IAuditLogGrain.Read) && caller is { Role: CallerRole.Police, National: true },
            _ => false,
        };

        return allowed ? context.Invoke() : throw Denied($"{caller.Actor} may not call {method} on {context.TargetId}");
    }

    private static bool OwnCompany(Caller caller, string companyId) => caller.Role == CallerRole.Company && caller.CompanyId == companyId;

    private static CoordinationException Denied(string message) => new(ErrorKind.PermissionDenied, $"{message} (refused by the silo)");
}

/// <summary>
/// Keeps the entry marker from leaking into calls a grain makes itself. The incoming filter removes
/// it before a grain method runs, but a grain's activation runs before that, in the context of the
/// call that woke it: a district woken by a police call must still rebuild its figures from the
/// companies, and an incident woken that way must still re-drive its commitments with the units.
/// Calls from the co-hosted gateway have no grain as their source and keep the marker.
/// </summary>
internal sealed class GrainToGrainCallFilter : IOutgoingGrainCallFilter
{
    public Task Invoke(IOutgoingGrainCallContext context)
    {
        if (context.SourceContext is not null && RequestContext.Get(CallerContext.EntryKey) is not null)
        {
            RequestContext.Remove(CallerContext.EntryKey);
        }

        return context.Invoke();
    }
}
