using System.Diagnostics;
using Coordination.Api.V1;
using ReferenceData = Coordination.Domain.ReferenceData;

namespace Coordination.Bench.Figures;

/// <summary>Working set after a full GC with the target number of units and incidents in the system.</summary>
internal sealed class DensityFigure(DensityFigure.Settings settings)
{
    public const string Name = "density";

    /// <param name="Units">units the figure is named for</param>
    /// <param name="Incidents">open incidents (routine, without requests)</param>
    public sealed record Settings(int Units, int Incidents)
    {
        public static readonly Settings Full = new(Units: 100_000, Incidents: 1000);
        public static readonly Settings Smoke = new(Units: 2_000, Incidents: 20);
    }

    /// <summary>Registers the units beyond <paramref name="registeredBefore"/>, opens the incidents, and measures.</summary>
    public async Task RunAsync(ServerProcess server, Report report, int registeredBefore)
    {
        var districts = ReferenceData.Current.Districts;
        var missing = Math.Max(0, settings.Units - registeredBefore);
        var watch = Stopwatch.StartNew();
        var company = server.Company("bench-density");
        for (var start = 0; start < missing; start += 1000)
        {
            await company.RegisterUnitsAsync(new RegisterUnitsRequest
            {
                Units =
                {
                    Enumerable.Range(start, Math.Min(1000, missing - start)).Select(i => new UnitRegistration
                    {
                        UnitId = $"m{i}", Headcount = 2, HomeDistrict = districts[i % districts.Count].Id, Capabilities = { "patrol", "first-aid" },
                    }),
                },
            });
        }

        var police = server.Police("bench-density-police");
        for (var i = 0; i < settings.Incidents; i++)
        {
            var district = districts[i % districts.Count];
            await police.OpenIncidentAsync(new OpenIncidentRequest
            {
                DistrictId = district.Id, RequestId = $"density-{i}", Title = "Benchmark incident", Priority = Priority.Routine,
                Location = new GeoPoint { Latitude = district.Latitude, Longitude = district.Longitude },
            });
        }

        Console.WriteLine($"  ({missing:N0} more units and {settings.Incidents} incidents in {watch.Elapsed.TotalSeconds:0.0} s)");
        var (workingSet, heap) = await server.MemoryAfterFullGcAsync();
        var mib = workingSet / 1024.0 / 1024.0;
        report.Add("density", $"working set after full GC, {settings.Units:N0} units + {settings.Incidents:N0} incidents", mib, "MiB", "<= 1024", mib <= 1024,
            $"managed heap {heap / 1024.0 / 1024.0:0} MiB");
    }
}
