using Coordination.Domain;

namespace Coordination.Silo.Grains;

[GenerateSerializer, Alias("coordination.CompanyState")]
public sealed class CompanyState
{
    [Id(0)] public bool Registered { get; set; }
    [Id(1)] public string? Name { get; set; }
    [Id(2)] public LicenceStatus Licence { get; set; } = LicenceStatus.Valid;
    [Id(3)] public string? LicenceReason { get; set; }

    /// <summary>Unit id → home district.</summary>
    [Id(4)] public Dictionary<string, string> Units { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Districts this company is enrolled in (see <see cref="IDistrictGrain.EnrollCompany"/>).</summary>
    [Id(5)] public HashSet<string> Districts { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Priorities for which a framework agreement commits this company's units without asking.</summary>
    [Id(6)] public HashSet<Priority> FrameworkAgreements { get; set; } = [];

    /// <summary>Offers waiting for this company's answer.</summary>
    [Id(7)] public Dictionary<string, OfferNotice> Inbox { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Whether the roster of companies (<see cref="ICompanyRosterGrain"/>) has this company.</summary>
    [Id(8)] public bool OnRoster { get; set; }
}
