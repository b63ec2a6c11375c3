using Coordination.Api.V1;
using Coordination.Domain;
using Coordination.Gateway.Security;
using Grpc.Core;
using Microsoft.Extensions.Options;
using static Coordination.Tests.Infrastructure.ApiBuilders;

namespace Coordination.Tests;

/// <summary>
/// Each RPC's decisions are declared once, on the RPC in its proto (<c>option (rule)</c>): who may call
/// it, whether it is an audited command, what it costs against the caller's rate limit. The gateway
/// reads them from the descriptors and applies them before the handler runs.
/// </summary>
public sealed class RpcRuleTests
{
    [Fact]
    public void Every_rpc_of_every_api_service_declares_who_may_call_it()
    {
        var services = RpcRules.ApiServices().ToList();
        var methods = services.SelectMany(s => s.Methods).ToList();

        Assert.Subset(services.Select(s => s.FullName).ToHashSet(), new HashSet<string> { CompanyService.Descriptor.FullName, PoliceService.Descriptor.FullName, DashboardService.Descriptor.FullName });
        var undeclared = methods
            .Where(m => !(m.GetOptions()?.HasExtension(RpcRuleExtensions.Rule) == true
                && m.GetOptions().GetExtension(RpcRuleExtensions.Rule).Callers.Any(c => c != RpcRule.Types.Caller.Unspecified)))
            .Select(m => m.FullName)
            .ToList();
        Assert.True(undeclared.Count == 0,
            $"RPCs without a declared rule; give each `option (rule) = {{ callers: [...] }}` in its proto: {string.Join(", ", undeclared)}");
        var rules = RpcRules.OfApi();
        Assert.All(methods, m => Assert.NotNull(rules.Find($"/{m.Service.FullName}/{m.Name}")));
    }

    [Fact]
    public void A_rule_admits_the_roles_it_declares_and_no_other()
    {
        var rules = RpcRules.OfApi();
        var district = new Caller("oslo", CallerRole.Police, ["oslo"], false, null);
        var national = new Caller("pod", CallerRole.Police, [], true, null);
        var company = new Caller("room", CallerRole.Company, [], false, "acme");
        var viewer = new Caller("screen", CallerRole.Viewer, ["oslo"], false, null);
        Caller[] everyone = [district, national, company, viewer];

        bool[] Admitted(string rpc) => [.. everyone.Select(rules.Find(rpc)!.Admits)];

        Assert.Equal([false, true, false, false], Admitted("/coordination.v1.PoliceService/SetCompanyLicence"));
        Assert.Equal([false, true, true, false], Admitted("/coordination.v1.PoliceService/GetCompany"));
        Assert.Equal([true, true, false, true], Admitted("/coordination.v1.PoliceService/GetIncident"));
        Assert.Equal([true, true, false, false], Admitted("/coordination.v1.PoliceService/OpenIncident"));
        Assert.Equal([false, false, true, false], Admitted("/coordination.v1.CompanyService/ReportUnit"));
        Assert.Equal([true, true, true, true], Admitted("/coordination.v1.PoliceService/ListDistricts"));
    }

    [Fact]
    public void A_call_takes_its_cost_from_the_callers_bucket_and_a_cost_above_the_bucket_takes_the_whole_bucket()
    {
        // Refills one token per 100 ms: far too slow to matter within this test.
        using var limiter = new CallerRateLimiter(Options.Create(new LimitsOptions { RequestsPerSecond = 10, Burst = 100 }));
        var flooder = new Caller("oslo", CallerRole.Police, ["oslo"], false, null);
        var other = new Caller("vest", CallerRole.Police, ["vest"], false, null);

        limiter.Take(flooder, 60);
        var over = Assert.Throws<CoordinationException>(() => limiter.Take(flooder, 60));
        limiter.Take(flooder, 30);
        limiter.Take(other, 1_000);
        var emptied = Assert.Throws<CoordinationException>(() => limiter.Take(other, 50));

        Assert.Equal(ErrorKind.ResourceExhausted, over.Code);
        Assert.Equal(ErrorKind.ResourceExhausted, emptied.Code);
    }
}

/// <summary>The declared rules applied by a running gateway, over a real channel.</summary>
[Collection(NodeCollection.Name)]
public sealed class RpcRuleEnforcementTests(NodeFixture fixture)
{
    private RunningNode Node => fixture.Node;

    [Fact]
    public async Task A_caller_whose_role_an_rpc_is_not_for_is_refused_before_its_request_is_read()
    {
        // The national scope with a district is INVALID_ARGUMENT for anyone the RPC is for.
        var request = new GetCapacityRequest { Scope = CapacityScope.National, DistrictId = "oslo" };

        var asCompany = await Assert.ThrowsAsync<RpcException>(async () => await Node.PoliceWith(Node.Tokens.Company("rule-co")).GetCapacityAsync(request));
        var asPolice = await Assert.ThrowsAsync<RpcException>(async () => await Node.Police.GetCapacityAsync(request));

        Assert.Equal(StatusCode.PermissionDenied, asCompany.StatusCode);
        Assert.Equal("only police operators or dashboards may call GetCapacity (company:rule-co)", asCompany.Status.Detail);
        Assert.Equal(StatusCode.InvalidArgument, asPolice.StatusCode);
    }

    [Fact]
    public async Task A_command_refused_for_the_callers_role_is_in_the_audit_log()
    {
        var open = Incident("oslo", $"rule-{Guid.NewGuid():N}"[..20]);

        var refused = await Assert.ThrowsAsync<RpcException>(async () => await Node.PoliceWith(Node.Tokens.Viewer("oslo")).OpenIncidentAsync(open));

        Assert.Equal(StatusCode.PermissionDenied, refused.StatusCode);
        // The export is audited too, under the same incident: only the open's records are of interest.
        var entries = (await AuditTests.Export(Node.Police, new ExportAuditRequest { IncidentId = IncidentIds.Of("oslo", open.RequestId) }))
            .Where(e => e.Rpc != "/coordination.v1.PoliceService/ExportAudit").ToList();
        // An incident command's start record is written by its incident with its first change; refused before
        // it reached the incident, it changed nothing, and its record is the refusal alone.
        Assert.Equal(
            [("/coordination.v1.PoliceService/OpenIncident", "viewer", "PermissionDenied")],
            entries.Select(e => (e.Rpc, e.Role, e.Outcome)));
    }
}
