using Coordination.Api.V1;
using Grpc.Core;
using static Coordination.Tests.Infrastructure.ApiBuilders;

namespace Coordination.Tests;

/// <summary>An offer nobody answers expires and the request moves on: also across a restart of the silo.</summary>
public sealed class OfferDeadlineTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(2);
    private static readonly GeoPoint Bergen = new() { Latitude = 60.3913, Longitude = 5.3221 };

    [Fact]
    public async Task An_unanswered_offer_expires_and_the_request_moves_on_to_the_next_company()
    {
        using var data = new TempDirectory();
        await using var node = await RunningNode.StartAsync(data.Path, $"--Coordination:Offers:UrgentDeadline={Deadline}");
        var incident = await SilentAndAutomaticCompanies(node, "expiry");

        var request = await node.Police.RequestCapacityAsync(Capacity(incident, "r1", "first-aid", 2, at: Bergen));
        Assert.Equal("silent", request.Offers.Single().CompanyId);

        // An answer that arrives too late is refused and changes nothing.
        await Task.Delay(Deadline + TimeSpan.FromMilliseconds(200));
        var late = await Assert.ThrowsAsync<RpcException>(async () => await node.Company.AnswerOfferAsync(new AnswerOfferRequest
        {
            CompanyId = "silent", OfferId = request.Offers.Single().OfferId, AnswerId = "late", Commit = new CommitUnits { UnitIds = { "s1" } },
        }));
        Assert.Equal(StatusCode.FailedPrecondition, late.StatusCode);
        Assert.Contains("expired", late.Status.Detail);

        var moved = await WaitForFilled(node, incident);
        Assert.Equal([OfferStatus.Expired, OfferStatus.Committed], moved.Offers.Select(o => o.Status));
        Assert.Equal("auto", moved.Assignments.Single().CompanyId);
        Assert.Equal(UnitStatus.Available, (await node.Company.ListUnitsAsync(new ListUnitsRequest { CompanyId = "silent" })).Units.Single().Status);
    }

    [Fact]
    public async Task An_offer_deadline_passing_while_the_silo_is_down_is_honoured_after_the_restart()
    {
        using var data = new TempDirectory();
        string incident;
        string offerId;
        await using (var node = await RunningNode.StartAsync(data.Path, $"--Coordination:Offers:UrgentDeadline={Deadline}"))
        {
            incident = await SilentAndAutomaticCompanies(node, "restart");
            var request = await node.Police.RequestCapacityAsync(Capacity(incident, "r1", "first-aid", 2, at: Bergen));
            offerId = request.Offers.Single().OfferId;
            Assert.Equal(OfferStatus.Pending, request.Offers.Single().Status);
        }

        await Task.Delay(Deadline + TimeSpan.FromSeconds(1));
        await using var restarted = await RunningNode.StartAsync(data.Path, $"--Coordination:Offers:UrgentDeadline={Deadline}");

        // Nobody touches the incident: the restarted silo wakes it and its deadline fires.
        var moved = await WaitForFilled(restarted, incident);
        Assert.Equal(OfferStatus.Expired, moved.Offers.Single(o => o.OfferId == offerId).Status);
        Assert.Equal("auto", moved.Assignments.Single().CompanyId);
    }

    /// <summary>Opens an urgent incident near a company that never answers (nearest) and one with a framework agreement.</summary>
    private static async Task<string> SilentAndAutomaticCompanies(RunningNode node, string name)
    {
        await node.Company.RegisterUnitsAsync(Register("silent", UnitAt("s1", 2, "vest", 60.3913, 5.3221, "first-aid")));
        await node.Company.RegisterUnitsAsync(Register("auto", UnitAt("x1", 2, "vest", 60.50, 5.50, "first-aid")));
        await node.Police.SetFrameworkAgreementAsync(new SetFrameworkAgreementRequest { CompanyId = "auto", Priorities = { Priority.Urgent } });
        await node.Company.ReportUnitAsync(Report("silent", "s1", UnitStatus.Available));
        await node.Company.ReportUnitAsync(Report("auto", "x1", UnitStatus.Available));
        var opened = await node.Police.OpenIncidentAsync(Incident("vest", name, Priority.Urgent));
        return opened.IncidentId;
    }

    private static async Task<CapacityRequest> WaitForFilled(RunningNode node, string incident)
    {
        CapacityRequest? request = null;
        var filled = await Eventually.Holds(async () =>
        {
            request = (await node.Police.GetIncidentAsync(new GetIncidentRequest { IncidentId = incident })).Requests.Single();
            return request.Status == RequestStatus.Filled;
        }, TimeSpan.FromSeconds(15));
        Assert.True(filled, $"request is {request?.Status}: {request}");
        return request!;
    }
}
