namespace Coordination.Silo.Grains;

[GenerateSerializer, Alias("coordination.CompanyRosterState")]
public sealed class CompanyRosterState
{
    /// <summary>Company ids in ordinal order, so a page is a binary search and a slice.</summary>
    [Id(0)] public List<string> Companies { get; set; } = [];
}
