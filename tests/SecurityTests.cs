using System.Text;
using Coordination.Api;
using Coordination.Api.V1;
using Grpc.Core;
using Xunit.Abstractions;
using static Coordination.Tests.Infrastructure.ApiBuilders;

namespace Coordination.Tests;

/// <summary>A node of its own with tight limits: 20 calls per second per caller, bursts of 40.</summary>
public sealed class GuardedNodeFixture : NodeFixture
{
    protected override string[] Settings =>
        ["--Coordination:Limits:RequestsPerSecond=20", "--Coordination:Limits:Burst=40", "--Coordination:Limits:MaxMessageBytes=262144"];
}

/// <summary>
/// Attempts to get in where one does not belong, each refused with the right status code. The
/// suite prints a table of every attempt and its outcome.
/// </summary>
public sealed class SecurityTests(GuardedNodeFixture fixture, ITestOutputHelper output) : IClassFixture<GuardedNodeFixture>
{
    private RunningNode Node => fixture.Node;

    [Fact]
    public async Task Every_attempt_to_get_in_where_one_does_not_belong_is_refused_with_the_right_status()
    {
        // Two companies with one unit each, and an incident in Oslo with an offer to company A.
        var a = Ids.Company("sec-a");
        var b = Ids.Company("sec-b");
        await Node.CompanyAs(a).RegisterUnitsAsync(Register(a, UnitAt("a1", 2, "oslo", 59.912, 10.753, "escort")));
        await Node.CompanyAs(b).RegisterUnitsAsync(Register(b, UnitAt("b1", 2, "oslo", 59.95, 10.80, "escort")));
        await Node.CompanyAs(a).ReportUnitAsync(Report(a, "a1", UnitStatus.Available));
        await Node.CompanyAs(b).ReportUnitAsync(Report(b, "b1", UnitStatus.Available));
        var osloPolice = Node.PoliceWith(Node.Tokens.Police("oslo"));
        var incident = await osloPolice.OpenIncidentAsync(Incident("oslo", $"sec-{Guid.NewGuid():N}"[..16]));
        var request = await osloPolice.RequestCapacityAsync(Capacity(incident.IncidentId, "r1", "escort", 2));
        var offerToA = request.Offers.Single(o => o.CompanyId == a);

        var signer = Node.Tokens.Signer;
        using var foreignKeyFile = new TempDirectory();
        using var foreign = DevelopmentTokens.LoadOrCreate(Path.Combine(foreignKeyFile.Path, "foreign.pem"));
        var attempts = new (string Attempt, StatusCode Expected, Func<Task> Call)[]
        {
            ("no token", StatusCode.Unauthenticated, () => new PoliceService.PoliceServiceClient(Node.Channel).GetCapacityAsync(National()).ResponseAsync),
            ("expired token", StatusCode.Unauthenticated, () => Node.PoliceWith(signer.Mint("pod", "police", national: true, lifetime: TimeSpan.FromHours(1), notBefore: DateTime.UtcNow.AddHours(-3))).GetCapacityAsync(National()).ResponseAsync),
            ("wrong audience", StatusCode.Unauthenticated, () => Node.PoliceWith(signer.Mint("pod", "police", national: true, audience: "someone-else")).GetCapacityAsync(National()).ResponseAsync),
            ("wrong issuer", StatusCode.Unauthenticated, () => Node.PoliceWith(signer.Mint("pod", "police", national: true, issuer: "https://evil.example")).GetCapacityAsync(National()).ResponseAsync),
            ("alg: none", StatusCode.Unauthenticated, () => Node.PoliceWith(Unsigned("pod", "police")).GetCapacityAsync(National()).ResponseAsync),
            ("signed by a foreign key", StatusCode.Unauthenticated, () => Node.PoliceWith(foreign.Mint("pod", "police", national: true)).GetCapacityAsync(National()).ResponseAsync),
            ("company A reporting on company B's unit", StatusCode.PermissionDenied, () => Node.CompanyWith(Node.Tokens.Company(a)).ReportUnitAsync(Report(b, "b1", UnitStatus.OutOfService)).ResponseAsync),
            ("company A listing company B's units", StatusCode.PermissionDenied, () => Node.CompanyWith(Node.Tokens.Company(a)).ListUnitsAsync(new ListUnitsRequest { CompanyId = b }).ResponseAsync),
            ("company B answering company A's offer", StatusCode.PermissionDenied, () => Node.CompanyWith(Node.Tokens.Company(b)).AnswerOfferAsync(new AnswerOfferRequest
            {
                OfferId = offerToA.OfferId, AnswerId = "steal", Commit = new CommitUnits { UnitIds = { "b1" } },
            }).ResponseAsync),
            ("a company reading police-internal incident fields", StatusCode.PermissionDenied, () => Node.PoliceWith(Node.Tokens.Company(a)).GetIncidentAsync(new GetIncidentRequest { IncidentId = incident.IncidentId }).ResponseAsync),
            ("a dashboard token opening an incident", StatusCode.PermissionDenied, () => Node.PoliceWith(Node.Tokens.Viewer("oslo")).OpenIncidentAsync(Incident("oslo", "viewer-open")).ResponseAsync),
            ("a dashboard token reporting a unit", StatusCode.PermissionDenied, () => Node.CompanyWith(Node.Tokens.Viewer("oslo")).ReportUnitAsync(Report(a, "a1", UnitStatus.Unavailable)).ResponseAsync),
            ("police of Vest closing Oslo's incident", StatusCode.PermissionDenied, () => Node.PoliceWith(Node.Tokens.Police("vest")).CloseIncidentAsync(new CloseIncidentRequest { IncidentId = incident.IncidentId }).ResponseAsync),
            ("district police setting a licence", StatusCode.PermissionDenied, () => Node.PoliceWith(Node.Tokens.Police("oslo")).SetCompanyLicenceAsync(new SetCompanyLicenceRequest { CompanyId = b, Licence = LicenceStatus.Revoked }).ResponseAsync),
            ("company A reading company B", StatusCode.PermissionDenied, () => Node.PoliceWith(Node.Tokens.Company(a)).GetCompanyAsync(new GetCompanyRequest { CompanyId = b }).ResponseAsync),
            ("district police reading a company", StatusCode.PermissionDenied, () => Node.PoliceWith(Node.Tokens.Police("oslo")).GetCompanyAsync(new GetCompanyRequest { CompanyId = b }).ResponseAsync),
            ("a company listing the companies", StatusCode.PermissionDenied, () => Node.PoliceWith(Node.Tokens.Company(a)).ListCompaniesAsync(new ListCompaniesRequest()).ResponseAsync),
            ("district police exporting the audit log", StatusCode.PermissionDenied, () => Drain(Node.PoliceWith(Node.Tokens.Police("oslo")).ExportAudit(new ExportAuditRequest()))),
            ("an oversized message", StatusCode.ResourceExhausted, () => Node.CompanyAs(a).RegisterUnitsAsync(new RegisterUnitsRequest { CompanyId = a, CompanyName = new string('x', 300_000), Units = { Unit("big") } }).ResponseAsync),
        };

        var outcomes = new List<(string Attempt, StatusCode Expected, StatusCode Actual)>();
        foreach (var (attempt, expected, call) in attempts)
        {
            var actual = StatusCode.OK;
            try
            {
                await call();
            }
            catch (RpcException e)
            {
                actual = e.StatusCode;
            }

            outcomes.Add((attempt, expected, actual));
        }

        output.WriteLine($"{"attempt",-52} {"expected",-18} {"actual",-18}");
        foreach (var (attempt, expected, actual) in outcomes)
        {
            output.WriteLine($"{attempt,-52} {expected,-18} {actual,-18} {(expected == actual ? "refused as expected" : "WRONG")}");
        }

        output.WriteLine($"{outcomes.Count(o => o.Expected == o.Actual)} of {outcomes.Count} attempts refused with the expected status");
        Assert.All(outcomes, o => Assert.Equal((o.Attempt, o.Expected), (o.Attempt, o.Actual)));

        // Nothing the attempts tried changed anything.
        Assert.Equal(UnitStatus.Available, (await Node.CompanyAs(b).ListUnitsAsync(new ListUnitsRequest())).Units.Single().Status);
        var after = await osloPolice.GetIncidentAsync(new GetIncidentRequest { IncidentId = incident.IncidentId });
        Assert.Equal(IncidentStatus.Open, after.Status);
        Assert.Equal(OfferStatus.Pending, after.Requests.Single().Offers.Single(o => o.CompanyId == a).Status);
    }

    [Fact]
    public async Task A_flood_beyond_the_rate_limit_is_refused_while_other_callers_carry_on()
    {
        var flooder = Node.PoliceWith(Node.Tokens.Police("finnmark"));
        var neighbour = Node.PoliceWith(Node.Tokens.Police("troms"));

        // 200 calls at once from one caller: far beyond a burst of 40.
        var flood = await Task.WhenAll(Enumerable.Range(0, 200).Select(async _ =>
        {
            try
            {
                await flooder.GetCapacityAsync(District("finnmark"));
                return StatusCode.OK;
            }
            catch (RpcException e)
            {
                return e.StatusCode;
            }
        }));

        // Meanwhile another caller is served, every time.
        for (var i = 0; i < 10; i++)
        {
            await neighbour.GetCapacityAsync(District("troms"));
        }

        output.WriteLine($"flood of 200: {flood.Count(s => s == StatusCode.OK)} served, {flood.Count(s => s == StatusCode.ResourceExhausted)} refused with ResourceExhausted");
        Assert.All(flood, s => Assert.Contains(s, new[] { StatusCode.OK, StatusCode.ResourceExhausted }));
        // A burst of 40 plus what refills at 20 per second while the flood lasts.
        Assert.InRange(flood.Count(s => s == StatusCode.OK), 40, 150);
        Assert.True(flood.Count(s => s == StatusCode.ResourceExhausted) >= 50);

        // The flooder gets in again once its bucket refills.
        await Task.Delay(TimeSpan.FromSeconds(1));
        await flooder.GetCapacityAsync(District("finnmark"));
    }

    [Fact]
    public async Task An_unauthenticated_caller_is_told_why()
    {
        var expired = Node.Tokens.Signer.Mint("pod", "police", national: true, lifetime: TimeSpan.FromHours(1), notBefore: DateTime.UtcNow.AddHours(-3));

        var none = await Assert.ThrowsAsync<RpcException>(async () => await new PoliceService.PoliceServiceClient(Node.Channel).GetCapacityAsync(National()));
        var old = await Assert.ThrowsAsync<RpcException>(async () => await Node.PoliceWith(expired).GetCapacityAsync(National()));

        Assert.Equal((StatusCode.Unauthenticated, "a bearer token is required (Authorization: Bearer <token>)"), (none.StatusCode, none.Status.Detail));
        Assert.Equal((StatusCode.Unauthenticated, "the token has expired"), (old.StatusCode, old.Status.Detail));
    }

    [Fact]
    public async Task Health_stays_open_without_a_token()
    {
        var health = new Grpc.Health.V1.Health.HealthClient(Node.Channel);

        var reply = await health.CheckAsync(new Grpc.Health.V1.HealthCheckRequest());

        Assert.Equal(Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus.Serving, reply.Status);
    }

    private static async Task Drain(AsyncServerStreamingCall<AuditEntry> call)
    {
        using (call)
        {
            while (await call.ResponseStream.MoveNext(CancellationToken.None))
            {
            }
        }
    }

    /// <summary>A token with "alg": "none" and no signature, claiming national police.</summary>
    private static string Unsigned(string subject, string role)
    {
        static string Encode(string json) => Convert.ToBase64String(Encoding.UTF8.GetBytes(json)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = Encode("""{"alg":"none","typ":"JWT"}""");
        var payload = Encode($$"""{"sub":"{{subject}}","role":"{{role}}","scope":"national","iss":"{{TokenClaims.DefaultIssuer}}","aud":"{{TokenClaims.DefaultAudience}}","nbf":{{now}},"exp":{{now + 3600}}}""");
        return $"{header}.{payload}.";
    }
}
