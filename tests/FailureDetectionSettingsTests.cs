using Coordination.Gateway;
using Coordination.Silo.Hosting;
using Microsoft.Extensions.Options;

namespace Coordination.Tests;

/// <summary>
/// Failure-detection settings the cluster cannot work with stop the process at start, naming the
/// setting, rather than surfacing later as a silo that is never voted out or calls that never time out.
/// </summary>
public sealed class FailureDetectionSettingsTests
{
    [Fact]
    public async Task A_silo_refuses_to_start_with_votes_that_expire_before_a_second_silo_can_vote()
    {
        using var data = new TempDirectory();
        await using var app = SingleNode.Build(RunningNode.Arguments(data.Path, Ports.Free(), Ports.Free(),
            "--Coordination:Orleans:FailureDetection:DeathVoteExpirationTimeout=00:00:05"));

        var refusal = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        Assert.Contains("Coordination:Orleans:FailureDetection:DeathVoteExpirationTimeout (00:00:05) must be at least twice", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_silo_refuses_to_start_with_a_probe_ceiling_below_the_probe_floor()
    {
        using var data = new TempDirectory();
        await using var app = SingleNode.Build(RunningNode.Arguments(data.Path, Ports.Free(), Ports.Free(),
            "--Coordination:Orleans:FailureDetection:ProbeTimeout=00:00:04",
            "--Coordination:Orleans:FailureDetection:MaxProbeTimeout=00:00:01"));

        var refusal = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        Assert.Contains("Coordination:Orleans:FailureDetection:MaxProbeTimeout (00:00:01) must be at least half of ProbeTimeout", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stand_alone_gateway_refuses_to_start_without_a_response_timeout()
    {
        using var data = new TempDirectory();
        await using var app = StandaloneGateway.Build(
        [
            $"--Coordination:Gateway:GrpcEndpoint=127.0.0.1:{Ports.Free()}",
            $"--Coordination:Gateway:HttpEndpoint=127.0.0.1:{Ports.Free()}",
            $"--Coordination:Cluster:Gateways:0=127.0.0.1:{Ports.Free()}",
            $"--Coordination:Auth:DevelopmentKeyFile={TestTokens.KeyFile(data.Path)}",
            "--Coordination:Cluster:ResponseTimeout=00:00:00",
        ]);

        // Refused before the Orleans client looks for a silo (there is none on that port).
        var refusal = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());
        Assert.Contains("Coordination:Cluster:ResponseTimeout must be a positive time span", refusal.Message, StringComparison.Ordinal);
    }
}
