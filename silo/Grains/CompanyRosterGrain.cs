using Coordination.Domain;

namespace Coordination.Silo.Grains;

/// <summary>The companies that have registered units (see <see cref="ICompanyRosterGrain"/> for why a grain of its own).</summary>
internal sealed class CompanyRosterGrain(
    [PersistentState("company-roster", StorageNames.Grains)] IPersistentState<CompanyRosterState> state) : Grain, ICompanyRosterGrain
{
    private List<string> Companies => state.State.Companies;

    public async Task Enroll(string companyId)
    {
        Validate.Id(companyId, "company_id");
        var at = Companies.BinarySearch(companyId, StringComparer.Ordinal);
        if (at >= 0)
        {
            return;
        }

        // Kept only once stored: a failed write takes the company out again, so memory never lists
        // what storage does not, and the activation goes (its ETag may be stale after a conflict or a
        // lost acknowledgement), so the retry starts from what storage holds.
        Companies.Insert(~at, companyId);
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            Companies.RemoveAt(~at);
            DeactivateOnIdle();
            throw;
        }
    }

    public Task<IReadOnlyList<string>> List(string? after, int count)
    {
        var start = 0;
        if (after is not null)
        {
            var at = Companies.BinarySearch(after, StringComparer.Ordinal);
            start = at >= 0 ? at + 1 : ~at;
        }

        return Task.FromResult<IReadOnlyList<string>>(Companies.GetRange(start, Math.Clamp(count, 0, Companies.Count - start)));
    }
}
