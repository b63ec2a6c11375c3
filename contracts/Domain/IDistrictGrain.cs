namespace Coordination.Domain;

/// <summary>
/// A police district (key: district id). Owns its live capacity figures. Units send it a new
/// contribution only when what they add changes; positions and heartbeats never reach it.
/// </summary>
[Alias("coordination.IDistrictGrain")]
public interface IDistrictGrain : IGrainWithStringKey
{
    /// <summary>Records that a company has units homed here, so the figures can be rebuilt after a restart. Durable.</summary>
    [Alias("EnrollCompany")]
    Task EnrollCompany(string companyId);

    [Alias("Apply")]
    Task Apply(UnitContribution contribution);

    [Alias("GetCapacity"), ReadOnly]
    Task<CapacityFigures> GetCapacity();
}

/// <summary>The national view (key: "no"): the sum of the 12 districts, updated by them at a bounded rate.</summary>
[Alias("coordination.INationalGrain")]
public interface INationalGrain : IGrainWithStringKey
{
    public const string Key = "no";

    [Alias("Report"), OneWay]
    Task Report(CapacityFigures district);

    [Alias("GetCapacity"), ReadOnly]
    Task<CapacityFigures> GetCapacity();
}
