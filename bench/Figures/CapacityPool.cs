using System.Diagnostics;
using Coordination.Api.V1;
using ReferenceData = Coordination.Domain.ReferenceData;

namespace Coordination.Bench.Figures;

/// <summary>
/// Units of companies with framework agreements in every district, available, for the capacity,
/// durable and incident-size figures' requests to be filled from.
/// </summary>
internal sealed class CapacityPool(CapacityPool.Settings settings)
{
    /// <param name="UnitsPerDistrict">one-guard units of the district's company</param>
    public sealed record Settings(int UnitsPerDistrict)
    {
        public static readonly Settings Full = new(UnitsPerDistrict: 4200);
        public static readonly Settings Smoke = new(UnitsPerDistrict: 150);

        public int Units => UnitsPerDistrict * ReferenceData.Current.Districts.Count;
    }

    public async Task RegisterAsync(ServerProcess server)
    {
        var watch = Stopwatch.StartNew();
        var directorate = server.Police("bench-directorate");
        foreach (var district in ReferenceData.Current.Districts)
        {
            var company = $"bench-pool-{district.Id}";
            var client = server.Company(company);
            var units = Units();
            var random = new Random(district.Id.GetHashCode(StringComparison.Ordinal));
            foreach (var chunk in units.Chunk(1000))
            {
                await client.RegisterUnitsAsync(new RegisterUnitsRequest
                {
                    Units =
                    {
                        chunk.Select(u => new UnitRegistration
                        {
                            UnitId = u, Headcount = 1, HomeDistrict = district.Id, Capabilities = { "static-guarding", "patrol" },
                            Position = new GeoPoint { Latitude = district.Latitude + ((random.NextDouble() - 0.5) / 10), Longitude = district.Longitude + ((random.NextDouble() - 0.5) / 5) },
                        }),
                    },
                });
            }

            // An agreement needs a registered company (NOT_FOUND otherwise); it is in place before any unit is available.
            await directorate.SetFrameworkAgreementAsync(new SetFrameworkAgreementRequest { CompanyId = company, Priorities = { Priority.Urgent, Priority.High, Priority.Routine } });
            await Load.Feed(client, units, UnitStatus.Available);
        }

        Console.WriteLine($"  (pool of {settings.Units:N0} available units registered in {watch.Elapsed.TotalSeconds:0.0} s)");
    }

    /// <summary>
    /// Reports every unit alive (a report without a status is a heartbeat, whatever the unit is doing):
    /// units go stale five minutes after their last report and are then never offered, which a figure
    /// running longer than that (growing large incidents) would otherwise measure instead.
    /// </summary>
    public async Task HeartbeatAsync(ServerProcess server)
    {
        foreach (var district in ReferenceData.Current.Districts)
        {
            await Load.Feed(server.Company($"bench-pool-{district.Id}"), Units(), UnitStatus.Unspecified);
        }
    }

    private string[] Units() => Enumerable.Range(0, settings.UnitsPerDistrict).Select(i => $"p{i}").ToArray();
}
