using Coordination.Domain;
using Orleans.Runtime;

namespace Coordination.Tests;

/// <summary>
/// The silo checks the caller again, independently of the gateway: a call that reaches a grain
/// straight from a gateway (marked as such, with its caller) is refused when the caller may not make it.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class DefenceInDepthTests(ClusterFixture fixture)
{
    [Fact]
    public async Task The_silo_refuses_a_gateway_call_the_caller_may_not_make_even_when_the_gateway_let_it_through()
    {
        var a = Ids.Company("did-a");
        var b = Ids.Company("did-b");
        await fixture.Grains.GetGrain<ICompanyGrain>(b).RegisterUnits(null, [new UnitRegistration("b1", 2, ["patrol"], "oslo", null)]);
        var unitOfB = fixture.Grains.GetGrain<IGuardUnitGrain>(UnitKey.Of(b, "b1"));

        var stranger = await AsGatewayCall(new Caller("a-room", CallerRole.Company, [], false, a), () => unitOfB.ReportStatus(UnitStatus.Available, null));
        var internalOnly = await AsGatewayCall(new Caller("b-room", CallerRole.Company, [], false, b), () => unitOfB.Commit("x", "oslo.x"));
        var viewer = await AsGatewayCall(new Caller("screen", CallerRole.Viewer, ["oslo"], false, null), () => fixture.Grains.GetGrain<ICompanyGrain>(b).SetLicence(LicenceStatus.Revoked, null));
        var otherDistrict = await AsGatewayCall(new Caller("vest", CallerRole.Police, ["vest"], false, null),
            () => fixture.Grains.GetGrain<IIncidentGrain>("oslo.someone-elses").Open(new OpenIncident("someone-elses", "oslo", "x", new GeoPoint(59.9, 10.7), Priority.High, false, "police:vest")));

        Assert.All([stranger, internalOnly, viewer, otherDistrict], e =>
        {
            Assert.Equal(ErrorKind.PermissionDenied, e.Code);
            Assert.Contains("refused by the silo", e.Message);
        });
        Assert.Equal(UnitStatus.Unavailable, (await unitOfB.Get())!.Status);

        // The rightful caller is let through, and the grain's own calls onward are not entry calls.
        await AsGatewayCall(new Caller("b-room", CallerRole.Company, [], false, b), () => unitOfB.ReportStatus(UnitStatus.Available, null), expectRefusal: false);
        Assert.Equal(UnitStatus.Available, (await unitOfB.Get())!.Status);
    }

    [Fact]
    public async Task The_silo_lets_only_national_police_and_the_company_itself_read_a_company_and_only_national_police_list_companies()
    {
        var a = Ids.Company("did-read-a");
        var b = Ids.Company("did-read-b");
        await fixture.Grains.GetGrain<ICompanyGrain>(b).RegisterUnits(null, [new UnitRegistration("b1", 2, ["patrol"], "oslo", null)]);
        var companyB = fixture.Grains.GetGrain<ICompanyGrain>(b);
        var roster = fixture.Grains.GetGrain<ICompanyRosterGrain>(ICompanyRosterGrain.Key);
        var national = new Caller("pod", CallerRole.Police, [], true, null);

        var refused = new[]
        {
            await AsGatewayCall(new Caller("oslo", CallerRole.Police, ["oslo"], false, null), () => companyB.Get()),
            await AsGatewayCall(new Caller("a-room", CallerRole.Company, [], false, a), () => companyB.Get()),
            await AsGatewayCall(new Caller("oslo", CallerRole.Police, ["oslo"], false, null), () => roster.List(null, 10)),
            await AsGatewayCall(new Caller("b-room", CallerRole.Company, [], false, b), () => roster.List(null, 10)),
            await AsGatewayCall(national, () => roster.Enroll("forged")),
        };

        Assert.All(refused, e => Assert.Equal(ErrorKind.PermissionDenied, e.Code));
        await AsGatewayCall(national, () => companyB.Get(), expectRefusal: false);
        await AsGatewayCall(new Caller("b-room", CallerRole.Company, [], false, b), () => companyB.Get(), expectRefusal: false);
        await AsGatewayCall(national, () => roster.List(null, 10), expectRefusal: false);
        Assert.DoesNotContain("forged", await roster.List(null, int.MaxValue));
        Assert.Contains(b, await roster.List(null, int.MaxValue));
    }

    private static async Task<CoordinationException> AsGatewayCall(Caller caller, Func<Task> call, bool expectRefusal = true)
    {
        RequestContext.Set(CallerContext.CallerKey, caller);
        RequestContext.Set(CallerContext.EntryKey, true);
        try
        {
            if (!expectRefusal)
            {
                await call();
                return null!;
            }

            return await Assert.ThrowsAsync<CoordinationException>(call);
        }
        finally
        {
            RequestContext.Clear();
        }
    }
}
