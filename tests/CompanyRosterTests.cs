using Coordination.Domain;
using Coordination.Silo.Grains;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Storage;

namespace Coordination.Tests;

/// <summary>
/// The roster of companies and the company's own writes keep memory and storage in step: a write
/// that fails (here: another writer changed the stored state, so the write is refused as a
/// conflict) leaves nothing changed, and the retry stores the change.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class CompanyRosterTests(ClusterFixture fixture)
{
    private IGrainStorage Storage => fixture.Cluster.GetSiloServiceProvider().GetRequiredKeyedService<IGrainStorage>("grains");

    private ICompanyRosterGrain Roster => fixture.Grains.GetGrain<ICompanyRosterGrain>(ICompanyRosterGrain.Key);

    [Fact]
    public async Task A_company_whose_enrolment_on_the_roster_fails_is_neither_listed_nor_registered_and_the_retry_registers_it()
    {
        var company = Ids.Company("roster");
        await Roster.List(null, 1);
        await TouchStored<CompanyRosterState>("companyroster", ICompanyRosterGrain.Key, "company-roster");
        var grain = fixture.Grains.GetGrain<ICompanyGrain>(company);
        UnitRegistration[] units = [new("u1", 2, ["patrol"], "oslo", null)];

        await Assert.ThrowsAnyAsync<Exception>(() => grain.RegisterUnits(null, units));

        Assert.DoesNotContain(company, await Roster.List(null, int.MaxValue));
        Assert.False((await grain.Get()).Registered);

        await grain.RegisterUnits(null, units);

        Assert.Contains(company, await Roster.List(null, int.MaxValue));
        Assert.True((await grain.Get()).Registered);
    }

    [Fact]
    public async Task A_framework_agreement_whose_write_fails_is_not_kept_and_the_retry_stores_it()
    {
        var company = Ids.Company("agreement");
        var grain = fixture.Grains.GetGrain<ICompanyGrain>(company);
        await grain.RegisterUnits(null, [new UnitRegistration("u1", 2, ["patrol"], "oslo", null)]);
        await TouchStored<CompanyState>("company", company, "company");

        await Assert.ThrowsAnyAsync<Exception>(() => grain.SetFrameworkAgreement([Priority.Urgent]));

        Assert.Empty((await grain.Get()).FrameworkAgreements);
        Assert.False(await grain.CommitsAutomatically(Priority.Urgent));

        await grain.SetFrameworkAgreement([Priority.Urgent]);

        Assert.Equal([Priority.Urgent], (await grain.Get()).FrameworkAgreements);
        Assert.Equal([Priority.Urgent], (await Stored<CompanyState>("company", company, "company")).FrameworkAgreements);
    }

    [Fact]
    public async Task A_company_registered_before_the_roster_existed_joins_it_when_woken()
    {
        var company = Ids.Company("before-roster");
        await Storage.WriteStateAsync("company", GrainId.Create("company", company), new GrainState<CompanyState>(new CompanyState
        {
            Registered = true,
            Name = "Old AS",
            Units = new(StringComparer.Ordinal) { ["u1"] = "vest" },
            Districts = new(StringComparer.Ordinal) { "vest" },
        }));
        Assert.DoesNotContain(company, await Roster.List(null, int.MaxValue));

        await fixture.Grains.GetGrain<ICompanyGrain>(company).Get();

        Assert.Contains(company, await Roster.List(null, int.MaxValue));
    }

    private async Task<T> Stored<T>(string grainType, string key, string stateName)
        where T : new()
    {
        var state = new GrainState<T>(new T());
        await Storage.ReadStateAsync(stateName, GrainId.Create(grainType, key), state);
        return state.State ?? throw new InvalidOperationException($"{grainType}/{key} has no stored state");
    }

    /// <summary>Another writer rewrites a grain's stored state unchanged: the active grain's next write is a version conflict.</summary>
    private async Task TouchStored<T>(string grainType, string key, string stateName)
        where T : new()
    {
        var id = GrainId.Create(grainType, key);
        var state = new GrainState<T>(new T());
        await Storage.ReadStateAsync(stateName, id, state);
        await Storage.WriteStateAsync(stateName, id, state);
    }
}
