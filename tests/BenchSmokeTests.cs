using System.Text.Json;
using Coordination.Bench;

namespace Coordination.Tests;

/// <summary>
/// The benchmark harness at toy scale, so it cannot rot: every figure must be produced. The values
/// themselves are not judged here (timed assertions on a shared machine would be noise); the full
/// run and BENCHMARKS.md are where they are read.
/// </summary>
public sealed class BenchSmokeTests
{
    [Fact]
    public async Task The_benchmark_produces_every_figure_in_smoke_mode()
    {
        // The figures on PostgreSQL need its server binaries; a fresh machine gets them here, as the cluster tests do.
        await Prerequisites.PostgreSqlAsync();
        using var output = new TempDirectory();
        var json = Path.Combine(output.Path, "smoke.json");

        var code = await Driver.RunAsync(["--smoke", "--json", json]);

        Assert.Equal(0, code);
        using var document = JsonDocument.Parse(await File.ReadAllTextAsync(json));
        var figures = document.RootElement.GetProperty("figures").EnumerateArray()
            .Select(f => (Section: f.GetProperty("Section").GetString()!, Name: f.GetProperty("Name").GetString()!, Value: f.GetProperty("Value")))
            .ToList();
        string[] sections = ["start-up", "status reports", "capacity requests", "durable decisions", "fan-out", "density", "bulletins", "observations", "PostgreSQL", "incident size"];
        Assert.Equal(sections.Order(), figures.Select(f => f.Section).Distinct().Order());
        Assert.All(figures, f =>
        {
            Assert.Equal(JsonValueKind.Number, f.Value.ValueKind);
            Assert.True(f.Value.GetDouble() > 0, $"{f.Section}: {f.Name} = {f.Value}");
        });
        Assert.Contains(figures, f => f.Name.StartsWith("ratio ReportUnit / no-op", StringComparison.Ordinal));

        // The status goal's limit (one grain call per report) and the feed beside it: every report on a feed reaches its unit once.
        Assert.Contains(figures, f => f.Name.StartsWith("ratio grain read / no-op", StringComparison.Ordinal));
        Assert.Contains(figures, f => f.Name.StartsWith("ratio feed reports / no-op", StringComparison.Ordinal));
        Assert.Equal(1.0, figures.Single(f => f.Name.StartsWith("unit grain calls per report through a feed", StringComparison.Ordinal)).Value.GetDouble());
        Assert.Contains(figures, f => f.Name.Contains("store with", StringComparison.Ordinal));
        Assert.Contains(figures, f => f.Section == "bulletins" && f.Name.StartsWith("issue to last of 20 company streams", StringComparison.Ordinal));
        Assert.Contains(figures, f => f.Section == "incident size" && f.Name.StartsWith("ratio incidents of", StringComparison.Ordinal));

        // Issue #13's goals on PostgreSQL: one silo's cost (silo and database), its tail, durable against raw, and the two-silo figure.
        foreach (var item in new[] { "one silo: silo + database CPU", "one silo, 80 % of max, 64 clients: p99", "ratio (median", "two silos: maximum rate" })
        {
            Assert.Contains(figures, f => f.Section == "PostgreSQL" && f.Name.StartsWith(item, StringComparison.Ordinal));
        }

        // The capacity request's profile, from the server's counters (the silo's storage metrics among them): each above zero, checked above.
        foreach (var item in new[] { "grain calls", "grain state writes", "grain state bytes written", "audit records", "group commits", "server allocations" })
        {
            Assert.Contains(figures, f => f.Section == "capacity requests" && f.Name.StartsWith("per RequestCapacity", StringComparison.Ordinal) && f.Name.Contains(item, StringComparison.Ordinal));
        }
    }
}
