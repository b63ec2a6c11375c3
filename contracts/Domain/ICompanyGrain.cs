namespace Coordination.Domain;

[GenerateSerializer, Immutable, Alias("coordination.CompanyView")]
public sealed record CompanyView(
    [property: Id(0)] string CompanyId,
    [property: Id(1)] string? Name,
    [property: Id(2)] LicenceStatus Licence,
    [property: Id(3)] string? LicenceReason,
    [property: Id(4)] int Units,
    [property: Id(5)] bool Registered,
    [property: Id(6)] Priority[] FrameworkAgreements,
    [property: Id(7)] IReadOnlyList<DistrictUnitCount> UnitsByDistrict,
    [property: Id(8)] int OutstandingOffers);

[GenerateSerializer, Immutable, Alias("coordination.DistrictUnitCount")]
public sealed record DistrictUnitCount([property: Id(0)] string District, [property: Id(1)] int Units);

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

    /// <summary>
    /// The company's unit keys homed in a district. Interleaves because a district rebuilding its
    /// figures calls it while this company may itself be waiting on that district's enrolment.
    /// </summary>
    [Alias("UnitKeysIn"), AlwaysInterleave]
    Task<IReadOnlyList<string>> UnitKeysIn(string districtId);

    /// <summary>Whether a framework agreement covers this priority: the incident then commits the company's units itself.</summary>
    [Alias("CommitsAutomatically"), ReadOnly, AlwaysInterleave]
    Task<bool> CommitsAutomatically(Priority priority);

    /// <summary>An incident offers work the company answers by hand: it waits in the inbox (and reaches watchers) until answered.</summary>
    [Alias("ReceiveOffer")]
    Task ReceiveOffer(OfferNotice offer);

    /// <summary>An offer was answered, expired or withdrawn: it leaves the inbox.</summary>
    [Alias("OfferClosed"), OneWay]
    Task OfferClosed(string offerId, OfferStatus status);

    [Alias("SetFrameworkAgreement")]
    Task<CompanyView> SetFrameworkAgreement(Priority[] priorities);

    /// <summary>Starts (or renews) a watcher; returns the outstanding offers so the watcher sees them first.</summary>
    [Alias("Watch")]
    Task<IReadOnlyList<OfferNotice>> Watch(IOfferObserver observer);

    [Alias("Unwatch")]
    Task Unwatch(IOfferObserver observer);
}
