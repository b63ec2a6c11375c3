using System.Data.Common;
using Coordination.Domain;
using Coordination.Silo.Grains;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace Coordination.Cli;

/// <summary>
/// The grain states the audit check needs, read straight from the grain-state table (the same on
/// SQLite and PostgreSQL) and decoded with Orleans' serializer, as the silo stored them. Offline:
/// no silo needs to run, so the check does not depend on the system it checks.
/// </summary>
public static class StoredGrains
{
    public static async Task<(IReadOnlyList<AuditCrossCheck.StoredIncident> Incidents, IReadOnlyDictionary<string, GuardUnitState> Units)> ReadAsync(DbConnection connection)
    {
        var serializer = new ServiceCollection()
            .AddSerializer(b => b.AddAssembly(typeof(IncidentState).Assembly).AddAssembly(typeof(OpenIncident).Assembly))
            .BuildServiceProvider()
            .GetRequiredService<Serializer>();

        var incidents = new Dictionary<string, IncidentState>(StringComparer.Ordinal);
        var pages = new Dictionary<string, SortedDictionary<int, IReadOnlyList<TimelineEvent>>>(StringComparer.Ordinal);
        var requestPages = new Dictionary<string, SortedDictionary<int, IReadOnlyList<CapacityRequestState>>>(StringComparer.Ordinal);
        var units = new Dictionary<string, GuardUnitState>(StringComparer.Ordinal);
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT GrainTypeString, GrainIdExtensionString, PayloadBinary FROM OrleansStorage WHERE PayloadBinary IS NOT NULL AND GrainTypeString IN ('incident', 'timeline', 'requests', 'unit')";
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var key = reader.GetString(1);
            var payload = (byte[])reader.GetValue(2);
            switch (reader.GetString(0))
            {
                case "incident":
                    incidents[key] = serializer.Deserialize<IncidentState>(payload) ?? new IncidentState();
                    break;
                case "timeline":
                    Page(pages, key, (serializer.Deserialize<TimelinePageState>(payload) ?? new TimelinePageState()).Events);
                    break;
                case "requests":
                    Page(requestPages, key, (serializer.Deserialize<RequestPageState>(payload) ?? new RequestPageState()).Requests);
                    break;
                case "unit":
                    units[key] = serializer.Deserialize<GuardUnitState>(payload) ?? new GuardUnitState();
                    break;
            }
        }

        var stored = incidents.Where(i => i.Value.Opening is not null).Select(i =>
        {
            var sealedEvents = pages.TryGetValue(i.Key, out var p) ? p.Where(x => x.Key < i.Value.SealedPages).SelectMany(x => x.Value) : [];
            var sealedRequests = requestPages.TryGetValue(i.Key, out var r) ? r.Where(x => x.Key < i.Value.ArchivePages).SelectMany(x => x.Value) : [];

            // The newest copy of each request, as the incident shows it: sealed pages, then its archive, then its live list.
            var requests = sealedRequests.Concat(i.Value.Archived).Concat(i.Value.Requests)
                .GroupBy(q => q.Command.RequestId, StringComparer.Ordinal).Select(g => g.Last()).ToList();
            return new AuditCrossCheck.StoredIncident(i.Key, i.Value, [.. sealedEvents, .. i.Value.TimelineTail], requests);
        }).OrderBy(i => i.Id, StringComparer.Ordinal).ToList();
        return (stored, units);
    }

    /// <summary>Files a sealed page (key <c>incident/n</c>) under its incident.</summary>
    private static void Page<T>(Dictionary<string, SortedDictionary<int, T>> pages, string key, T content)
    {
        var slash = key.LastIndexOf('/');
        var incident = key[..slash];
        if (!pages.TryGetValue(incident, out var sealedPages))
        {
            pages[incident] = sealedPages = [];
        }

        sealedPages[int.Parse(key[(slash + 1)..], System.Globalization.CultureInfo.InvariantCulture)] = content;
    }
}
