using Coordination.Api.V1;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using static Coordination.Tests.Infrastructure.ApiBuilders;

namespace Coordination.Tests;

/// <summary>The single node with a storage layer that can fail every write, as when the database is down.</summary>
public sealed class OutageNodeFixture : IAsyncLifetime
{
    private readonly TempDirectory _data = new();

    public StorageFaults Faults { get; } = new();

    public RunningNode Node { get; private set; } = null!;

    public async Task InitializeAsync() => Node = await RunningNode.StartAsync(_data.Path, services => services.AddSingleton(Faults.Layer));

    public async Task DisposeAsync()
    {
        await Node.DisposeAsync();
        _data.Dispose();
    }
}

/// <summary>
/// A storage outage is UNAVAILABLE over gRPC (retry), never INTERNAL (the README keeps that for bugs),
/// and a command refused during it is stored by its retry once storage is back.
/// </summary>
public sealed class StorageOutageTests(OutageNodeFixture fixture) : IClassFixture<OutageNodeFixture>
{
    private RunningNode Node => fixture.Node;

    [Fact]
    public async Task Commands_during_a_storage_outage_answer_unavailable_and_their_retries_are_stored_after_it()
    {
        var company = Ids.Company("outage");
        await Node.Company.RegisterUnitsAsync(Register(company, Unit("u1", 2, "finnmark", "patrol")));
        await Node.Company.ReportUnitAsync(Report(company, "u1", UnitStatus.Available));

        fixture.Faults.FailAllWrites();
        try
        {
            var report = await Assert.ThrowsAsync<RpcException>(async () => await Node.Company.ReportUnitAsync(Report(company, "u1", UnitStatus.OutOfService)));
            var open = await Assert.ThrowsAsync<RpcException>(async () => await Node.Police.OpenIncidentAsync(Incident("finnmark", $"outage-{Guid.NewGuid():N}"[..16])));
            var register = await Assert.ThrowsAsync<RpcException>(async () => await Node.Company.RegisterUnitsAsync(Register(company, Unit("u2", 2, "finnmark", "patrol"))));

            Assert.All(new[] { report, open, register }, e => Assert.Equal(StatusCode.Unavailable, e.StatusCode));
            Assert.Contains("retry", report.Status.Detail);
        }
        finally
        {
            fixture.Faults.Heal();
        }

        var units = await Node.Company.ListUnitsAsync(new ListUnitsRequest { CompanyId = company });
        Assert.Equal([("u1", UnitStatus.Available)], units.Units.Select(u => (u.UnitId, u.Status)));

        var retry = await Node.Company.ReportUnitAsync(Report(company, "u1", UnitStatus.OutOfService));

        Assert.True(retry.Changed);
        Assert.True(retry.Durable);
        Assert.Equal(UnitStatus.OutOfService, (await Node.Company.ListUnitsAsync(new ListUnitsRequest { CompanyId = company })).Units.Single().Status);
    }
}
