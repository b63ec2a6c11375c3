using Coordination.Domain;

namespace Coordination.Tests;

/// <summary>References made from the grain types learnt once (<see cref="GrainReferences"/>) are Orleans' own.</summary>
[Collection(ClusterCollection.Name)]
public sealed class GrainReferencesTests(ClusterFixture fixture)
{
    [Fact]
    public async Task A_reference_made_from_the_learnt_types_is_the_one_GetGrain_makes_and_reaches_the_same_grain()
    {
        var company = Ids.Company("refs");
        var first = fixture.Grains.Reference<ICompanyGrain>(company);   // learns the types (or they are known already)
        var later = fixture.Grains.Reference<ICompanyGrain>(company);   // made from them
        var orleans = fixture.Grains.GetGrain<ICompanyGrain>(company);

        Assert.Equal(orleans.GetGrainId(), later.GetGrainId());
        Assert.Equal(orleans, later);
        Assert.Equal(first, later);

        // A different key is a different grain, and calls through either reference reach the one grain.
        Assert.NotEqual(orleans.GetGrainId(), fixture.Grains.Reference<ICompanyGrain>(company + "-other").GetGrainId());
        var district = ReferenceData.Current.DistrictsById["agder"];
        await later.RegisterUnits(null, [new UnitRegistration("u1", 2, ["patrol"], district.Id, district.Position)]);
        Assert.Equal(UnitStatus.Unavailable, (await fixture.Grains.Reference<IGuardUnitGrain>(UnitKey.Of(company, "u1")).Get())!.Status);
        Assert.Equal(fixture.Grains.GetGrain<IGuardUnitGrain>(UnitKey.Of(company, "u1")), fixture.Grains.Reference<IGuardUnitGrain>(UnitKey.Of(company, "u1")));
    }

    [Fact]
    public void An_empty_key_is_refused_as_GetGrain_refuses_it()
    {
        fixture.Grains.Reference<IDistrictGrain>("oslo");
        Assert.ThrowsAny<ArgumentException>(() => fixture.Grains.Reference<IDistrictGrain>(" "));
        Assert.ThrowsAny<ArgumentException>(() => fixture.Grains.GetGrain<IDistrictGrain>(" "));
    }
}
