using Coordination.Domain;

namespace Coordination.Tests;

public sealed class ReferenceDataTests
{
    [Fact]
    public void The_twelve_police_districts_are_loaded_with_symmetric_neighbours()
    {
        var data = ReferenceData.Current;

        Assert.Equal(
            ["agder", "finnmark", "innlandet", "more-og-romsdal", "nordland", "oslo", "ost", "sor-ost", "sor-vest", "troms", "trondelag", "vest"],
            data.Districts.Select(d => d.Id).Order());
        foreach (var district in data.Districts)
        {
            Assert.NotEmpty(district.Neighbours);
            Assert.True(district.ProtectedReserveGuards > 0, district.Id);
            Assert.All(district.Neighbours, n => Assert.Contains(district.Id, data.DistrictsById[n].Neighbours));
        }
    }

    [Fact]
    public void The_capability_catalogue_holds_only_lawful_tasks_and_lists_the_forbidden_ones_with_reasons()
    {
        var data = ReferenceData.Current;

        Assert.Equal(10, data.Capabilities.Count);
        Assert.Contains(data.Capabilities, c => c.Id == "access-control");
        Assert.Equal(
            ["armed", "arrest", "detainee-transport", "detention", "identity-check", "search", "traffic-enforcement", "use-of-force"],
            data.ForbiddenTasks.Select(f => f.Id).Order());
        Assert.Empty(data.Capabilities.Select(c => c.Id).Intersect(data.ForbiddenTasks.Select(f => f.Id)));
        Assert.All(data.ForbiddenTasks, f => Assert.Contains("loven", f.Reason)); // each reason cites the Act it rests on
    }

    [Theory]
    [InlineData("arrest")]
    [InlineData("use-of-force")]
    [InlineData("armed")]
    public void A_forbidden_task_named_as_a_capability_is_refused_with_its_reason(string task)
    {
        var error = Assert.Throws<CoordinationException>(() => Validate.Capability(task, "capabilities[0]"));

        Assert.Equal(ErrorKind.InvalidArgument, error.Code);
        Assert.Equal("capabilities[0]", error.Field);
        Assert.Contains(ReferenceData.Current.ForbiddenById[task].Reason, error.Message);
    }
}
