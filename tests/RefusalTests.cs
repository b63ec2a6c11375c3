using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Coordination.Api.V1;
using Coordination.Domain;
using Coordination.Gateway.Hosting;
using Grpc.Core;
using static Coordination.Tests.Infrastructure.ApiBuilders;

namespace Coordination.Tests;

/// <summary>
/// Refusals made outside the gRPC handlers (establishing the caller from a token, the browser's event
/// streams) are built by the one error mapping, so a client hears the same code and reason on every path.
/// </summary>
[Collection(NodeCollection.Name)]
public sealed class RefusalTests(NodeFixture fixture)
{
    private RunningNode Node => fixture.Node;

    [Fact]
    public async Task A_valid_token_that_names_no_known_role_is_permission_denied_with_the_reason_over_grpc_and_on_the_browser_endpoint()
    {
        var token = Node.Tokens.Operator();
        using var browser = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Node.HttpPort}"), Timeout = TimeSpan.FromSeconds(20) };
        browser.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);

        var grpc = await Assert.ThrowsAsync<RpcException>(async () => await Node.PoliceWith(token).GetCapacityAsync(National()));
        var http = await browser.GetAsync("/api/v1/national/events");

        Assert.Equal((StatusCode.PermissionDenied, "the token has no known role (police, company or viewer)"), (grpc.StatusCode, grpc.Status.Detail));
        Assert.Equal(HttpStatusCode.Forbidden, http.StatusCode);
        var body = JsonDocument.Parse(await http.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(("PermissionDenied", grpc.Status.Detail), (body.GetProperty("code").GetString(), body.GetProperty("message").GetString()));
    }

    [Fact]
    public void Every_kind_of_domain_refusal_has_a_status_of_its_own_and_none_is_unknown()
    {
        var codes = Enum.GetValues<ErrorKind>().Select(ErrorMapping.ToStatusCode).ToList();

        Assert.DoesNotContain(StatusCode.Unknown, codes);
        Assert.DoesNotContain(StatusCode.Internal, codes);
        Assert.Equal(codes.Count, codes.Distinct().Count());
    }

    [Fact]
    public void A_status_code_reported_inside_a_message_is_named_as_grpc_names_it()
    {
        Assert.Equal(
            ["OK", "FAILED_PRECONDITION", "DEADLINE_EXCEEDED", "NOT_FOUND", "UNAUTHENTICATED"],
            new[] { StatusCode.OK, StatusCode.FailedPrecondition, StatusCode.DeadlineExceeded, StatusCode.NotFound, StatusCode.Unauthenticated }.Select(ErrorMapping.CodeName));
    }
}
