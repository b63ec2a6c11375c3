using Coordination.Domain;

namespace Coordination.Silo.Security;

/// <summary>
/// The silo's own check of every call that comes straight from a gateway: the caller (set by the
/// gateway from the token) must be allowed this method on this grain by <see cref="GrainCallRules"/>;
/// a method without a decision there is refused. Calls that grains make to each other are not entry
/// calls: the marker is removed before the grain runs.
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
        var allowed = GrainCallRules.For(context.InterfaceMethod)?.Allows(caller, key, context.Request) == true;

        return allowed ? context.Invoke() : throw Denied($"{caller.Actor} may not call {method} on {context.TargetId}");
    }

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
