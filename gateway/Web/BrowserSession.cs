using System.Security.Claims;
using Coordination.Api;
using Coordination.Domain;
using Coordination.Gateway.Security;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;

namespace Coordination.Gateway.Web;

/// <summary>
/// Browsers sign in once with a token (pasted, or from a link's #token= fragment, which never
/// reaches a server log) and then carry it in an HttpOnly, SameSite=Strict cookie: EventSource cannot
/// send an Authorization header, and script never sees the cookie. The cookie is only read on the
/// HTTP/1.1 endpoint's GET requests, so it cannot be used to send a command.
/// </summary>
internal static class BrowserSession
{
    public const string Cookie = "coordination_session";

    /// <summary>The role that may open the Orleans dashboard; it gets nothing from the gRPC API.</summary>
    public const string OperatorRole = "operator";

    public const string OperatorPolicy = "operator";

    private static readonly string[] BrowserRoles = ["police", "viewer", OperatorRole];

    /// <summary>The token for a request without an Authorization header: the session cookie, on safe methods only.</summary>
    public static string? TokenFrom(HttpRequest request) =>
        HttpMethods.IsGet(request.Method) && request.Headers.Authorization.Count == 0 && !IsGrpc(request)
            ? request.Cookies[Cookie]
            : null;

    public static bool IsGrpc(HttpRequest request) => request.ContentType?.StartsWith("application/grpc", StringComparison.Ordinal) == true;

    public static RouteGroupBuilder MapBrowserSession(this IEndpointRouteBuilder endpoints)
    {
        var session = endpoints.MapGroup("/auth/session");

        // Sign in: the token is checked exactly as on every API call before the cookie is set.
        session.MapPost("", async (SignIn body, HttpContext http, IOptionsMonitor<JwtBearerOptions> jwt) =>
        {
            if (string.IsNullOrWhiteSpace(body.Token))
            {
                return Results.Problem(title: "token: a token is required", statusCode: StatusCodes.Status400BadRequest);
            }

            var options = jwt.Get(JwtBearerDefaults.AuthenticationScheme);
            var result = await options.TokenHandlers[0].ValidateTokenAsync(body.Token.Trim(), options.TokenValidationParameters);
            if (!result.IsValid || result.SecurityToken is not JsonWebToken token)
            {
                return Results.Problem(title: "token: not valid here (expired, or not signed by a key this gateway trusts)", statusCode: StatusCodes.Status401Unauthorized);
            }

            var user = new ClaimsPrincipal(result.ClaimsIdentity);
            var role = user.FindFirstValue(TokenClaims.Role);
            if (role is null || !BrowserRoles.Contains(role))
            {
                return Results.Problem(title: "token: dashboards take police, viewer or operator tokens; company tokens belong to company systems", statusCode: StatusCodes.Status403Forbidden);
            }

            Who who;
            try
            {
                who = Describe(user);
            }
            catch (CoordinationException refused)
            {
                return Results.Problem(title: $"token: {refused.Message}", statusCode: StatusCodes.Status403Forbidden);
            }

            http.Response.Cookies.Append(Cookie, body.Token.Trim(), new CookieOptions
            {
                HttpOnly = true,
                SameSite = SameSiteMode.Strict,
                Secure = http.Request.IsHttps,
                Path = "/",
                Expires = token.ValidTo,
            });
            return Results.Ok(who);
        });

        session.MapGet("", (HttpContext http) => Results.Ok(Describe(http.User))).RequireAuthorization();

        session.MapDelete("", (HttpContext http) =>
        {
            http.Response.Cookies.Delete(Cookie, new CookieOptions { Path = "/" });
            return Results.NoContent();
        });
        return session;
    }

    /// <summary>
    /// No valid token on a browser request: a page (the Orleans dashboard, say) sends the browser to
    /// sign in and come back; a script's request gets 401 with the reason.
    /// </summary>
    public static Task Challenge(HttpContext http, string reason)
    {
        var request = http.Request;
        if (HttpMethods.IsGet(request.Method) && request.Headers.Accept.ToString().Contains("text/html", StringComparison.Ordinal))
        {
            http.Response.Redirect($"/?return={Uri.EscapeDataString(request.PathBase + request.Path + request.QueryString)}");
            return Task.CompletedTask;
        }

        http.Response.Headers.WWWAuthenticate = "Bearer";
        return Hosting.ErrorMapping.WriteHttpRefusal(http.Response, Grpc.Core.StatusCode.Unauthenticated, reason);
    }

    private static Who Describe(ClaimsPrincipal user)
    {
        var role = user.FindFirstValue(TokenClaims.Role) ?? "";
        if (role == OperatorRole)
        {
            return new Who(user.FindFirstValue("sub") ?? "", role, National: false, Districts: []);
        }

        var caller = CallerResolution.FromClaims(user);
        return new Who(caller.Subject, role, caller.National, caller.Districts);
    }

    internal sealed record SignIn(string? Token);

    internal sealed record Who(string Subject, string Role, bool National, string[] Districts);
}
