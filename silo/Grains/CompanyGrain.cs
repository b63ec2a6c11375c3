using Coordination.Domain;
using Microsoft.Extensions.Logging;
using Orleans.Utilities;

namespace Coordination.Silo.Grains;

/// <summary>
/// A security company: its roster and its licence. Registration writes in an order that can stop
/// anywhere without losing a unit from the figures or a company from the list of companies:
/// district enrolment and the national roster of companies, then the company's own roster, then
/// each unit. A retry of the same batch finishes what an interrupted one started.
/// </summary>
internal sealed partial class CompanyGrain(
    [PersistentState("company", StorageNames.Grains)] IPersistentState<CompanyState> state,
    TimeProvider time,
    ILogger<CompanyGrain> logger) : Grain, ICompanyGrain
{
    // Offer watchers hold a lease: one that stops renewing is presumed gone (its gateway died).
    private readonly ObserverManager<IOfferObserver> _watchers = ObserverLeases.Create<IOfferObserver>(time);

    private CompanyState S => state.State;
    private string CompanyId => this.GetPrimaryKeyString();
    private bool Licensed => S.Licence == LicenceStatus.Valid;

    /// <summary>
    /// A company registered before the roster of companies existed joins it when woken (the capacity
    /// warm-up wakes every company with units after a start). The flag is not written here but with
    /// the company's next write: until then a restart only enrols it again, which changes nothing. A
    /// failure is logged, not fatal: the company works as before and tries again when next woken.
    /// </summary>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (!S.Registered || S.OnRoster)
        {
            return;
        }

        try
        {
            await Roster.Enroll(CompanyId);
            S.OnRoster = true;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            LogRosterFailed(e, CompanyId);
        }
    }

    public async Task<RegistrationOutcome> RegisterUnits(string? name, IReadOnlyList<UnitRegistration> units)
    {
        Validate.Id(CompanyId, "company_id");
        Validate.OptionalName(name, "company_name");
        var batch = Validate.Registrations(units);

        foreach (var district in batch.Select(u => u.HomeDistrict).Distinct().Where(d => !S.Districts.Contains(d)))
        {
            await GrainFactory.Reference<IDistrictGrain>(district).EnrollCompany(CompanyId);
            S.Districts.Add(district);
        }

        // On the list of companies before the company counts as registered, so a registered company is never missing from it.
        if (!S.OnRoster)
        {
            await Roster.Enroll(CompanyId);
            S.OnRoster = true;
        }

        var created = 0;
        foreach (var unit in batch)
        {
            created += S.Units.ContainsKey(unit.UnitId) ? 0 : 1;
            S.Units[unit.UnitId] = unit.HomeDistrict;
        }

        S.Registered = true;
        S.Name = string.IsNullOrEmpty(name) ? S.Name : name;
        await state.WriteStateAsync();

        await Task.WhenAll(batch.Select(u => Unit(u.UnitId).Register(u, Licensed)));
        return new RegistrationOutcome(created, batch.Count - created);
    }

    public async Task<IReadOnlyList<UnitView>> ListUnits()
    {
        var views = await Task.WhenAll(S.Units.Keys.Order(StringComparer.Ordinal).Select(id => Unit(id).Get()));
        return [.. views.OfType<UnitView>()];
    }

    public Task<CompanyView> Get() => Task.FromResult(View());

    public async Task<CompanyView> SetLicence(LicenceStatus licence, string? reason)
    {
        Validate.OptionalName(reason, "reason");
        if (!S.Registered)
        {
            throw CoordinationException.NotFound($"company '{CompanyId}' has registered no units");
        }

        S.Licence = licence;
        S.LicenceReason = reason;
        await state.WriteStateAsync();

        // The licence is stored first: a unit that misses this call learns it on its next registration,
        // and a retry of the same call reaches the rest.
        await Task.WhenAll(S.Units.Keys.Select(id => Unit(id).SetLicensed(Licensed)));
        return View();
    }

    public Task<IReadOnlyList<string>> UnitKeysIn(string districtId) =>
        Task.FromResult<IReadOnlyList<string>>([.. S.Units.Where(u => u.Value == districtId).Select(u => UnitKey.Of(CompanyId, u.Key))]);

    public Task<bool> CommitsAutomatically(Priority priority) => Task.FromResult(S.FrameworkAgreements.Contains(priority));

    public async Task ReceiveOffer(OfferNotice offer)
    {
        if (!S.Inbox.ContainsKey(offer.OfferId))
        {
            S.Inbox[offer.OfferId] = offer;
            await state.WriteStateAsync();
        }

        Notify(offer);
    }

    public async Task OfferClosed(string offerId, OfferStatus status)
    {
        if (S.Inbox.Remove(offerId, out var offer))
        {
            await state.WriteStateAsync();
            Notify(offer with { Status = status });
        }
    }

    public async Task<CompanyView> SetFrameworkAgreement(Priority[] priorities)
    {
        // As for a licence: an agreement with a company nobody has registered is a mistyped id, and
        // storing it would hand that company's first units over without asking.
        if (!S.Registered)
        {
            throw CoordinationException.NotFound($"company '{CompanyId}' has registered no units");
        }

        // Kept only once stored: a failed write leaves the agreement as it was, in memory too, and the
        // activation goes (its ETag may be stale after a conflict or a lost acknowledgement), so the
        // next call, a retry included, starts from what storage holds.
        var previous = S.FrameworkAgreements;
        S.FrameworkAgreements = [.. priorities];
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            S.FrameworkAgreements = previous;
            DeactivateOnIdle();
            throw;
        }

        return View();
    }

    public Task<IReadOnlyList<OfferNotice>> Watch(IOfferObserver observer)
    {
        _watchers.Subscribe(observer, observer);
        return Task.FromResult<IReadOnlyList<OfferNotice>>([.. S.Inbox.Values.OrderBy(o => o.Deadline)]);
    }

    public Task Unwatch(IOfferObserver observer)
    {
        _watchers.Unsubscribe(observer);
        return Task.CompletedTask;
    }

    // One-way: a slow or vanished watcher never holds up the company.
    private void Notify(OfferNotice offer) => _watchers.Notify(watcher => watcher.OnOffer(offer).Ignore());

    private IGuardUnitGrain Unit(string unitId) => GrainFactory.Reference<IGuardUnitGrain>(UnitKey.Of(CompanyId, unitId));

    private ICompanyRosterGrain Roster => GrainFactory.Reference<ICompanyRosterGrain>(ICompanyRosterGrain.Key);

    private CompanyView View() => new(
        CompanyId, S.Name, S.Licence, S.LicenceReason, S.Units.Count, S.Registered, [.. S.FrameworkAgreements.Order()],
        [.. S.Units.Values.GroupBy(d => d, StringComparer.Ordinal).Select(g => new DistrictUnitCount(g.Key, g.Count())).OrderBy(d => d.District, StringComparer.Ordinal)],
        S.Inbox.Count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Company {Company} could not join the roster of companies; it tries again when next woken")]
    private partial void LogRosterFailed(Exception exception, string company);
}
