using Coordination.Api.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using ReferenceData = Coordination.Domain.ReferenceData;

namespace Coordination.Bench.Figures;

/// <summary>
/// Police callers making 1-guard capacity requests (framework agreements fill them), as every capacity
/// figure makes them. Each client works through incidents of <see cref="CapacityFigure.RequestsPerIncident"/>
/// requests, opened before the clock starts, so a client at a high rate measures requests, not one
/// giant incident; an incident whose requests are all answered is closed (its units released), as
/// operations centres do, so the pool is not used up by the load itself.
/// </summary>
internal static class CapacityClients
{
    /// <param name="serverOf">the server (gateway) client c calls: one, or one of several silos</param>
    /// <param name="expectedRequests">a generous guess at how many requests the run makes, to open enough incidents</param>
    /// <param name="tag">unique per run: the incidents' and requests' ids start with it</param>
    /// <param name="districtOffset">shifts which district each client works in from run to run</param>
    /// <returns>client c's call for its request number i; true when the request was filled</returns>
    public static async Task<Func<int, Task<bool>>[]> CreateAsync(
        Func<int, ServerProcess> serverOf, int count, double expectedRequests, string tag, int districtOffset = 0)
    {
        var districts = ReferenceData.Current.Districts;
        var clients = new Func<int, Task<bool>>[count];
        var incidentsEach = (int)Math.Ceiling(expectedRequests / count / CapacityFigure.RequestsPerIncident) + 1;
        for (var c = 0; c < count; c++)
        {
            var district = districts[(c + districtOffset) % districts.Count];
            var police = serverOf(c).Police($"bench-police-{c}");
            var ids = new string[incidentsEach];
            for (var n = 0; n < incidentsEach; n++)
            {
                var open = new OpenIncidentRequest
                {
                    DistrictId = district.Id, RequestId = $"{tag}-client{c}-{n}", Title = "Benchmark", Priority = Priority.Urgent,
                    Location = new GeoPoint { Latitude = district.Latitude, Longitude = district.Longitude },
                };

                // Before the clock: a silo that has just joined may answer UNAVAILABLE while the cluster settles,
                // and the system asks for a retry with the same request id, as an operations centre's client makes.
                for (var attempt = 1; ; attempt++)
                {
                    try
                    {
                        ids[n] = (await police.OpenIncidentAsync(open)).IncidentId;
                        break;
                    }
                    catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && attempt < 10)
                    {
                        Console.WriteLine($"  ({DateTime.UtcNow:HH:mm:ss.fff} opening an incident answered UNAVAILABLE, attempt {attempt}: {e.Status.Detail}; retrying)");
                        await Task.Delay(TimeSpan.FromSeconds(1));
                    }
                }
            }

            // Clients start at different points of their first incident, so their incidents close at different
            // moments. Started alike, in an open loop at one rate each, every client closed its first incident
            // within the same fraction of a second: one burst of closes (each releasing its units) per run,
            // which set the p99 of the whole run (BENCHMARKS, session 10) and is not what a steady load does.
            var offset = c * CapacityFigure.RequestsPerIncident / count;
            var sent = offset;
            var answered = new int[ids.Length];
            answered[0] = offset;
            clients[c] = async i =>
            {
                var n = Math.Min((Interlocked.Increment(ref sent) - 1) / CapacityFigure.RequestsPerIncident, ids.Length - 1);
                var filled = (await police.RequestCapacityAsync(new RequestCapacityRequest
                {
                    IncidentId = ids[n], RequestId = $"r{i}", Capability = "static-guarding", Guards = 1, AllowPartial = true,
                    Location = new GeoPoint { Latitude = district.Latitude, Longitude = district.Longitude },
                    Start = Timestamp.FromDateTimeOffset(DateTimeOffset.UtcNow), DurationMinutes = 60,
                })).Status == RequestStatus.Filled;

                // The last incident takes any requests beyond the estimate and stays open.
                if (Interlocked.Increment(ref answered[n]) == CapacityFigure.RequestsPerIncident && n < ids.Length - 1)
                {
                    Load.CloseLater(police, ids[n]);
                }

                return filled;
            };
        }

        return clients;
    }
}
