using System.Security.Claims;
using Coordination.Api;
using Coordination.Domain;
using Grpc.Core;

namespace Coordination.Gateway.Security;

internal static class CallerResolution
{
    private const string UserStateKey = "coordination.caller";

    /// <summary>The caller of this RPC, as the interceptor established it from the token.</summary>
    public static Caller Caller(this ServerCallContext context) =>
        context.UserState.TryGetValue(UserStateKey, out var caller) && caller is Caller c
            ? c
            : throw new CoordinationException(ErrorKind.Unauthenticated, "no caller identity");

    public static void SetCaller(this ServerCallContext context, Caller caller) => context.UserState[UserStateKey] = caller;

    /// <summary>Reads role and scope from a validated token. A token that does not say exactly who its bearer is gets nowhere.</summary>
    public static Caller FromClaims(ClaimsPrincipal user)
    {
        var subject = user.FindFirstValue("sub") ?? throw Refused("the token has no subject");
        var districts = user.FindAll(TokenClaims.District).Select(c => c.Value).Distinct().ToArray();
        var national = user.FindAll(TokenClaims.Scope).Any(c => c.Value.Split(' ').Contains(TokenClaims.National));
        var companies = user.FindAll(TokenClaims.Company).Select(c => c.Value).Distinct().ToArray();
        if (districts.Any(d => !ReferenceData.Current.IsDistrict(d)))
        {
            throw Refused("the token names a district that does not exist");
        }

        return user.FindFirstValue(TokenClaims.Role) switch
        {
            "police" or "viewer" when companies.Length > 0 => throw Refused("a police or viewer token cannot name a company"),
            "police" or "viewer" when districts.Length == 0 && !national => throw Refused("the token names no district and no national scope"),
            "police" => new Caller(subject, CallerRole.Police, districts, national, null),
            "viewer" => new Caller(subject, CallerRole.Viewer, districts, national, null),
            "company" when companies.Length != 1 || districts.Length > 0 || national => throw Refused("a company token names exactly one company and nothing else"),
            "company" => new Caller(subject, CallerRole.Company, [], false, companies[0]),
            _ => throw Refused("the token has no known role (police, company or viewer)"),
        };
    }

    private static CoordinationException Refused(string message) => new(ErrorKind.PermissionDenied, message);
}
