using System.Text.Json;
using System.Text.Json.Serialization;

namespace Coordination.Domain;

public sealed record District(
    string Id,
    string Name,
    string Headquarters,
    double Latitude,
    double Longitude,
    IReadOnlyList<string> Neighbours,
    int ProtectedReserveGuards)
{
    public GeoPoint Position => new(Latitude, Longitude);
}

public sealed record Capability(string Id, string Name);

public sealed record ForbiddenTask(string Id, string Name, string Reason, IReadOnlyList<string>? Words = null);

/// <summary>A kind of bulletin (data, like capabilities), with what the CAP export says of it.</summary>
public sealed record BulletinKind(string Id, string Name, string CapCategory, string ResponseType, bool ObserveOnly);

/// <summary>What a guard's observation may be about, and the name of the symbol the web page draws it with (an unknown one is drawn as a dot).</summary>
public sealed record ObservationCategory(string Id, string Name, string? Icon = null);

/// <summary>
/// The districts and the capability catalogue, loaded once from the JSON files embedded in this
/// assembly: the set is data, not code, and both the gateway and the grains read the same copy.
/// </summary>
public sealed class ReferenceData
{
    private static readonly Lazy<ReferenceData> Embedded = new(LoadEmbedded);

    private ReferenceData(IReadOnlyList<District> districts, IReadOnlyList<Capability> capabilities, IReadOnlyList<ForbiddenTask> forbidden, IReadOnlyList<BulletinKind> bulletinKinds, IReadOnlyList<ObservationCategory> observationCategories)
    {
        ObservationCategories = observationCategories;
        BulletinKinds = bulletinKinds;
        BulletinKindsById = bulletinKinds.ToDictionary(k => k.Id, StringComparer.Ordinal);
        Districts = districts;
        Capabilities = capabilities;
        ForbiddenTasks = forbidden;
        DistrictsById = districts.ToDictionary(d => d.Id, StringComparer.Ordinal);
        CapabilitiesById = capabilities.ToDictionary(c => c.Id, StringComparer.Ordinal);
        ForbiddenById = forbidden.ToDictionary(f => f.Id, StringComparer.Ordinal);
    }

    public static ReferenceData Current => Embedded.Value;

    public IReadOnlyList<District> Districts { get; }
    public IReadOnlyList<Capability> Capabilities { get; }
    public IReadOnlyList<ForbiddenTask> ForbiddenTasks { get; }
    public IReadOnlyDictionary<string, District> DistrictsById { get; }
    public IReadOnlyDictionary<string, Capability> CapabilitiesById { get; }
    public IReadOnlyDictionary<string, ForbiddenTask> ForbiddenById { get; }
    public IReadOnlyList<BulletinKind> BulletinKinds { get; }
    public IReadOnlyDictionary<string, BulletinKind> BulletinKindsById { get; }

    public IReadOnlyList<ObservationCategory> ObservationCategories { get; }

    public bool IsObservationCategory(string id) => ObservationCategories.Any(c => c.Id == id);

    /// <summary>The category's name, or its id for one no longer listed (an observation keeps the category it was reported with).</summary>
    public string ObservationCategoryName(string id) => ObservationCategories.FirstOrDefault(c => c.Id == id)?.Name ?? id;

    public bool IsDistrict(string id) => DistrictsById.ContainsKey(id);
    public bool IsCapability(string id) => CapabilitiesById.ContainsKey(id);

    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    private static ReferenceData LoadEmbedded()
    {
        var districts = Read<DistrictsFile>("districts.json").Districts;
        var catalogue = Read<CapabilitiesFile>("capabilities.json");
        var data = new ReferenceData(districts, catalogue.Capabilities, catalogue.ForbiddenTasks, Read<BulletinKindsFile>("bulletin-kinds.json").Kinds, Read<ObservationCategoriesFile>("observation-categories.json").Categories);
        data.CheckConsistent();
        return data;
    }

    internal static T Read<T>(string name)
    {
        var resource = $"Coordination.ReferenceData.{name}";
        using var stream = typeof(ReferenceData).Assembly.GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"Embedded reference data {resource} is missing.");
        return JsonSerializer.Deserialize<T>(stream, Json) ?? throw new InvalidOperationException($"{resource} is empty.");
    }

    /// <summary>Mutual aid runs both ways: a neighbour list that is not symmetric is a data error, caught at start.</summary>
    private void CheckConsistent()
    {
        foreach (var district in Districts)
        {
            foreach (var neighbour in district.Neighbours)
            {
                if (!DistrictsById.TryGetValue(neighbour, out var other) || !other.Neighbours.Contains(district.Id))
                {
                    throw new InvalidOperationException($"District {district.Id} lists {neighbour} as a neighbour, but not the other way round.");
                }
            }
        }
    }

    private sealed record BulletinKindsFile([property: JsonPropertyName("kinds")] List<BulletinKind> Kinds);

    private sealed record ObservationCategoriesFile([property: JsonPropertyName("categories")] List<ObservationCategory> Categories);

    private sealed record DistrictsFile([property: JsonPropertyName("districts")] List<District> Districts);

    private sealed record CapabilitiesFile(
        [property: JsonPropertyName("capabilities")] List<Capability> Capabilities,
        [property: JsonPropertyName("forbiddenTasks")] List<ForbiddenTask> ForbiddenTasks);
}
