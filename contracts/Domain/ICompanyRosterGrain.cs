namespace Coordination.Domain;

/// <summary>
/// Every company that has registered units (key: "no"), so the Police Directorate can list them.
/// <para>
/// Its own grain rather than the union of the districts' enrolled companies: a list in pages needs
/// one ordered source (a union would wake all 12 districts for every page, and a district forgets a
/// company whose units all moved away), and it changes only when a company registers for the first
/// time, so it is no hot spot. It holds ids only: licence, agreements and units stay with each
/// company, their only owner, and a page reads them from there.
/// </para>
/// </summary>
[Alias("coordination.ICompanyRosterGrain")]
public interface ICompanyRosterGrain : IGrainWithStringKey
{
    public const string Key = "no";

    /// <summary>Adds a company (durable before it returns; a company already on the roster is no change).</summary>
    [Alias("Enroll")]
    Task Enroll(string companyId);

    /// <summary>Up to <paramref name="count"/> company ids after <paramref name="after"/> (null: from the first), in ordinal order.</summary>
    [Alias("List"), ReadOnly]
    Task<IReadOnlyList<string>> List(string? after, int count);
}
