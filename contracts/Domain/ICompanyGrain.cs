namespace Coordination.Domain;

[GenerateSerializer, Immutable, Alias("coordination.CompanyView")]
public sealed record CompanyView(
    [property: Id(0)] string CompanyId,
    [property: Id(1)] string? Name,
    [property: Id(2)] LicenceStatus Licence,
    [property: Id(3)] string? LicenceReason,
    [property: Id(4)] int Units,
    [property: Id(5)] bool Registered);

/// <summary>
/// A licensed security company (key: company id). Owns its roster of units and its licence; it is
/// the single writer of "which units exist and where they are homed".
/// </summary>
[Alias("coordination.ICompanyGrain")]
public interface ICompanyGrain : IGrainWithStringKey
{
    /// <summary>Registers new units and updates known ones, all or nothing on validation.</summary>
    [Alias("RegisterUnits")]
    Task<RegistrationOutcome> RegisterUnits(string? name, IReadOnlyList<UnitRegistration> units);

    [Alias("ListUnits")]
    Task<IReadOnlyList<UnitView>> ListUnits();

    [Alias("Get"), ReadOnly]
    Task<CompanyView> Get();

    [Alias("SetLicence")]
    Task<CompanyView> SetLicence(LicenceStatus licence, string? reason);

    [Alias("IsLicensed"), ReadOnly, AlwaysInterleave]
    Task<bool> IsLicensed();

    /// <summary>
    /// The company's unit keys homed in a district. Interleaves because a district rebuilding its
    /// figures calls it while this company may itself be waiting on that district's enrolment.
    /// </summary>
    [Alias("UnitKeysIn"), AlwaysInterleave]
    Task<IReadOnlyList<string>> UnitKeysIn(string districtId);
}
