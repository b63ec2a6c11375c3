using Coordination.Gateway;
using Coordination.Silo.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Coordination.Tests;

/// <summary>
/// A setting the system cannot use stops the process before it serves anything, and the refusal names
/// the setting in full, rather than the first call that reads it failing with INTERNAL. One test per
/// kind of mistake; none of them gets as far as a running silo.
/// </summary>
public sealed class BadSettingTests
{
    [Theory]
    [InlineData("Coordination:Offers:UrgentDeadline", "-00:00:05")]
    [InlineData("Coordination:Auth:ClockSkew", "-00:00:30")]
    public async Task A_negative_time_span_is_refused(string setting, string value)
    {
        var refusal = await SingleNodeRefusal($"--{setting}={value}");

        Assert.IsType<OptionsValidationException>(refusal);
        Assert.Contains($"{setting} must be ", refusal.Message, StringComparison.Ordinal);
        Assert.Contains($"(was {value})", refusal.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Coordination:Units:StaleAfter", "00:00:00", "must be a positive time span")]
    [InlineData("Coordination:Limits:RequestsPerSecond", "0", "must be a whole number of at least 1")]
    public async Task Zero_is_refused_where_it_cannot_work(string setting, string value, string rule)
    {
        var refusal = await SingleNodeRefusal($"--{setting}={value}");

        Assert.IsType<OptionsValidationException>(refusal);
        Assert.Contains($"{setting} {rule}", refusal.Message, StringComparison.Ordinal);
        Assert.Contains($"(was {value})", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_unknown_enum_name_is_refused()
    {
        var refusal = await SingleNodeRefusal("--Coordination:Storage:Provider=MySql");

        // The configuration binder's own refusal, which names the setting and the value.
        Assert.Contains("'MySql' at 'Coordination:Storage:Provider'", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_enum_number_that_names_no_value_is_refused()
    {
        var refusal = await SingleNodeRefusal("--Coordination:Gateway:Reflection=7");

        Assert.IsType<OptionsValidationException>(refusal);
        Assert.Contains("Coordination:Gateway:Reflection must be one of Off, Authenticated, Open (was 7)", refusal.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Coordination:Limits:Burst", "lots")]
    [InlineData("Coordination:Offers:HighDeadline", "five minutes")]
    public async Task An_unparsable_value_is_refused(string setting, string value)
    {
        var refusal = await SingleNodeRefusal($"--{setting}={value}");

        Assert.Contains($"'{value}' at '{setting}'", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_time_span_longer_than_a_timer_can_wait_is_refused()
    {
        var refusal = await SingleNodeRefusal("--Coordination:Units:StaleAfter=60.00:00:00");

        Assert.IsType<OptionsValidationException>(refusal);
        Assert.Contains($"Coordination:Units:StaleAfter must be at most {Gateway.Hosting.SettingChecks.LongestTimerWait} (was 60.00:00:00)", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wake_up_more_frequent_than_reminders_allow_is_refused()
    {
        var refusal = await SingleNodeRefusal("--Coordination:Offers:WakeIncidentsEvery=00:00:10");

        Assert.IsType<OptionsValidationException>(refusal);
        Assert.Contains("Coordination:Offers:WakeIncidentsEvery must be from the minimum reminder period (00:01:00; Coordination:Orleans:MinimumReminderPeriod)", refusal.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_wake_up_is_accepted_once_the_reminder_floor_is_lowered()
    {
        using var data = new TempDirectory();
        await using var node = await RunningNode.StartAsync(data.Path,
            "--Coordination:Orleans:MinimumReminderPeriod=00:00:01",
            "--Coordination:Offers:WakeIncidentsEvery=00:00:10");

        Assert.Equal(TimeSpan.FromSeconds(10), node.Services.GetRequiredService<IOptions<Silo.Grains.OfferOptions>>().Value.WakeIncidentsEvery);
    }

    [Fact]
    public async Task A_stand_alone_gateway_refuses_a_silo_address_that_is_not_an_ip_endpoint()
    {
        using var data = new TempDirectory();
        var refusal = await Refusal(() => StandaloneGateway.Build(
        [
            $"--Coordination:Gateway:GrpcEndpoint=127.0.0.1:{Ports.Free()}",
            $"--Coordination:Gateway:HttpEndpoint=127.0.0.1:{Ports.Free()}",
            $"--Coordination:Auth:DevelopmentKeyFile={TestTokens.KeyFile(data.Path)}",
            "--Coordination:Cluster:Gateways:0=silo-1:30000",
        ]));

        Assert.IsType<OptionsValidationException>(refusal);
        Assert.Contains("Coordination:Cluster:Gateways:0 must be host:port with an IP address", refusal.Message, StringComparison.Ordinal);
    }

    private static async Task<Exception> SingleNodeRefusal(params string[] settings)
    {
        using var data = new TempDirectory();
        return await Refusal(() => SingleNode.Build(RunningNode.Arguments(data.Path, Ports.Free(), Ports.Free(), settings)));
    }

    /// <summary>Why the process would not start: settings that decide the wiring are refused while it is built, the others when it starts.</summary>
    private static async Task<Exception> Refusal(Func<WebApplication> build)
    {
        WebApplication app;
        try
        {
            app = build();
        }
        catch (Exception e)
        {
            return e;
        }

        await using (app)
        {
            return await Assert.ThrowsAnyAsync<Exception>(() => app.StartAsync());
        }
    }
}
