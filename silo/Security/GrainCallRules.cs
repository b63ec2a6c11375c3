using System.Collections.Frozen;
using System.Reflection;
using Coordination.Domain;
using Coordination.Silo.Grains;
using Orleans.Serialization.Invocation;

namespace Coordination.Silo.Security;

/// <summary>
/// The silo's decision for every method of every grain interface: either the rule a call straight
/// from a gateway (with the caller it established) must pass, or <see cref="GrainCallDecision.Internal"/>
/// — called only by grains, or by a gateway on its own behalf without a caller, never as an entry call.
/// Written independently of the gateway's declared RPC rules, so one layer's mistake does not open the
/// door. A test holds this table to the grain interfaces, so a new grain method needs its decision here.
/// </summary>
internal static class GrainCallRules
{
    public static FrozenDictionary<(Type Interface, string Method), GrainCallDecision> Table { get; } = new Builder()
        .Entry<IGuardUnitGrain>(OwnUnit, nameof(IGuardUnitGrain.ReportStatus), nameof(IGuardUnitGrain.Ping), nameof(IGuardUnitGrain.Get))
        .Internal<IGuardUnitGrain>(
            nameof(IGuardUnitGrain.Register), nameof(IGuardUnitGrain.SetLicensed), nameof(IGuardUnitGrain.Commit),
            nameof(IGuardUnitGrain.Release), nameof(IGuardUnitGrain.Progress), nameof(IGuardUnitGrain.GetContribution))

        .Entry<ICompanyGrain>(OwnCompany, nameof(ICompanyGrain.RegisterUnits), nameof(ICompanyGrain.ListUnits), nameof(ICompanyGrain.Watch), nameof(ICompanyGrain.Unwatch))
        .Entry<ICompanyGrain>((caller, key, call) => OwnCompany(caller, key, call) || NationalPolice(caller, key, call), nameof(ICompanyGrain.Get))
        .Entry<ICompanyGrain>(NationalPolice, nameof(ICompanyGrain.SetLicence), nameof(ICompanyGrain.SetFrameworkAgreement))
        .Internal<ICompanyGrain>(
            nameof(ICompanyGrain.UnitKeysIn), nameof(ICompanyGrain.CommitsAutomatically), nameof(ICompanyGrain.ReceiveOffer), nameof(ICompanyGrain.OfferClosed))

        .Entry<IIncidentGrain>(PoliceOfIncident,
            nameof(IIncidentGrain.Open), nameof(IIncidentGrain.RequestCapacity), nameof(IIncidentGrain.CancelRequest),
            nameof(IIncidentGrain.Extend), nameof(IIncidentGrain.Release), nameof(IIncidentGrain.Close))
        .Entry<IIncidentGrain>((caller, key, _) => caller.Role is CallerRole.Police or CallerRole.Viewer && caller.Covers(IncidentIds.District(key)), nameof(IIncidentGrain.Get))
        .Entry<IIncidentGrain>((caller, _, call) => call.GetArgument(1) is OfferAnswer answer && IsCompany(caller, answer.CompanyId), nameof(IIncidentGrain.AnswerOffer))
        .Entry<IIncidentGrain>((caller, _, call) => call.GetArgument(0) is string company && IsCompany(caller, company), nameof(IIncidentGrain.ReportProgress))
        .Internal<IIncidentGrain>(nameof(IIncidentGrain.Yield), nameof(IIncidentGrain.Wake), nameof(IIncidentGrain.ConfirmCommitment))

        .Entry<IDistrictGrain>((caller, key, _) => caller.Role == CallerRole.Police || (caller.Role == CallerRole.Viewer && caller.Covers(key)),
            nameof(IDistrictGrain.GetCapacity), nameof(IDistrictGrain.ListIncidents))
        .Internal<IDistrictGrain>(
            nameof(IDistrictGrain.EnrollCompany), nameof(IDistrictGrain.Apply), nameof(IDistrictGrain.GetSituation), nameof(IDistrictGrain.FindCandidates),
            nameof(IDistrictGrain.Lend), nameof(IDistrictGrain.IncidentOpened), nameof(IDistrictGrain.IncidentClosed), nameof(IDistrictGrain.IncidentChanged))

        .Entry<IDistrictGrain>((caller, key, _) => caller.Role == CallerRole.Police || (caller.Role == CallerRole.Viewer && caller.Covers(key)), nameof(IDistrictGrain.ListBulletins))
        .Internal<IDistrictGrain>(nameof(IDistrictGrain.CompaniesInArea), nameof(IDistrictGrain.BulletinRecorded), nameof(IDistrictGrain.BulletinChanged),
            nameof(IDistrictGrain.ObservationChanged))

        // Reading a bulletin is open to every role here: the bulletin itself decides by its level (BulletinAccess).
        .Entry<IBulletinGrain>((caller, key, _) => caller.Role == CallerRole.Police && caller.Covers(BulletinIds.District(key)), nameof(IBulletinGrain.Issue))
        .Entry<IBulletinGrain>((caller, _, _) => caller.Role is CallerRole.Police or CallerRole.Company or CallerRole.Viewer, nameof(IBulletinGrain.Get))
        .Entry<IBulletinGrain>((caller, _, call) => call.GetArgument(0) is string company && IsCompany(caller, company), nameof(IBulletinGrain.Acknowledge))
        .Internal<IBulletinGrain>(nameof(IBulletinGrain.Supersede), nameof(IBulletinGrain.Peek), nameof(IBulletinGrain.Wake))
        .Entry<ICompanyBulletinsGrain>(OwnCompany, nameof(ICompanyBulletinsGrain.Watch), nameof(ICompanyBulletinsGrain.Unwatch), nameof(ICompanyBulletinsGrain.Outstanding))
        .Internal<ICompanyBulletinsGrain>(nameof(ICompanyBulletinsGrain.Record))

        .Entry<IObservationGrain>((caller, key, _) => IsCompany(caller, ObservationIds.Company(key)), nameof(IObservationGrain.Report))
        .Entry<IObservationGrain>((caller, key, _) => caller.Role == CallerRole.Police || IsCompany(caller, ObservationIds.Company(key)), nameof(IObservationGrain.Get))
        .Entry<IObservationGrain>((caller, _, _) => caller.Role == CallerRole.Police, nameof(IObservationGrain.Triage), nameof(IObservationGrain.Attach), nameof(IObservationGrain.Photo))
        .Internal<IObservationGrain>(nameof(IObservationGrain.Wake))
        .Internal<IObservationDayGrain>(nameof(IObservationDayGrain.Add), nameof(IObservationDayGrain.Remaining), nameof(IObservationDayGrain.Erased))
        .Internal<IObservationPhotoGrain>(nameof(IObservationPhotoGrain.Store), nameof(IObservationPhotoGrain.Read), nameof(IObservationPhotoGrain.Erase))
        .Entry<IObservationQueueGrain>((caller, key, _) => caller.Role == CallerRole.Police && caller.Covers(key),
            nameof(IObservationQueueGrain.Watch), nameof(IObservationQueueGrain.Unwatch), nameof(IObservationQueueGrain.List))
        .Internal<IObservationQueueGrain>(nameof(IObservationQueueGrain.Expect), nameof(IObservationQueueGrain.Record), nameof(IObservationQueueGrain.Forget), nameof(IObservationQueueGrain.Resume))
        .Entry<ICompanyObservationsGrain>(OwnCompany, nameof(ICompanyObservationsGrain.Watch), nameof(ICompanyObservationsGrain.Unwatch))
        .Internal<ICompanyObservationsGrain>(nameof(ICompanyObservationsGrain.Record))
        .Internal<IIncidentGrain>(nameof(IIncidentGrain.AttachObservation))

        .Entry<INationalGrain>((caller, _, _) => caller.Role == CallerRole.Police || caller is { Role: CallerRole.Viewer, National: true }, nameof(INationalGrain.GetCapacity))
        .Internal<INationalGrain>(nameof(INationalGrain.Report))

        .Entry<ICompanyRosterGrain>(NationalPolice, nameof(ICompanyRosterGrain.List))
        .Internal<ICompanyRosterGrain>(nameof(ICompanyRosterGrain.Enroll))

        .Entry<IAuditLogGrain>(NationalPolice, nameof(IAuditLogGrain.Read))
        .Internal<IAuditLogGrain>(nameof(IAuditLogGrain.Append))

        // The gateway's dashboard hub subscribes once per topic for all its viewers, as itself.
        .Internal<IDashboardSource>(nameof(IDashboardSource.Watch), nameof(IDashboardSource.Unwatch))
        .Internal<ITimelinePageGrain>(nameof(ITimelinePageGrain.Write), nameof(ITimelinePageGrain.Read))
        .Internal<IRequestPageGrain>(nameof(IRequestPageGrain.Write), nameof(IRequestPageGrain.Read))
        .Internal<IStorageHealthGrain>(nameof(IStorageHealthGrain.Problem))
        .Internal<IDashboardObserver>(nameof(IDashboardObserver.OnUpdate))
        .Internal<IOfferObserver>(nameof(IOfferObserver.OnOffer))
        .Internal<IBulletinObserver>(nameof(IBulletinObserver.OnBulletin))
        .Internal<IObservationObserver>(nameof(IObservationObserver.OnObservation))
        .Build();

    /// <summary>The decision for an interface method; null when it has none, which the filter refuses.</summary>
    public static GrainCallDecision? For(MethodInfo? method) =>
        method?.DeclaringType is { } type && Table.TryGetValue((type, method.Name), out var decision) ? decision : null;

    private static bool IsCompany(Caller caller, string companyId) => caller.Role == CallerRole.Company && caller.CompanyId == companyId;

    private static bool OwnCompany(Caller caller, string key, IInvokable call) => IsCompany(caller, key);

    private static bool OwnUnit(Caller caller, string key, IInvokable call) => IsCompany(caller, UnitKey.Parse(key).CompanyId);

    private static bool NationalPolice(Caller caller, string key, IInvokable call) => caller is { Role: CallerRole.Police, National: true };

    private static bool PoliceOfIncident(Caller caller, string key, IInvokable call) => caller.Role == CallerRole.Police && caller.Covers(IncidentIds.District(key));

    private sealed class Builder
    {
        private readonly Dictionary<(Type, string), GrainCallDecision> _table = [];

        public Builder Entry<TInterface>(EntryRule rule, params string[] methods) => Add(typeof(TInterface), new GrainCallDecision(rule), methods);

        public Builder Internal<TInterface>(params string[] methods) => Add(typeof(TInterface), GrainCallDecision.Internal, methods);

        public FrozenDictionary<(Type Interface, string Method), GrainCallDecision> Build() => _table.ToFrozenDictionary();

        private Builder Add(Type grainInterface, GrainCallDecision decision, string[] methods)
        {
            foreach (var method in methods)
            {
                // Add, not set: a method decided twice is a mistake in this table, found at start.
                _table.Add((grainInterface, method), decision);
            }

            return this;
        }
    }
}

/// <summary>Whether a call straight from a gateway may go ahead: the caller, the target grain's key, the call with its arguments.</summary>
internal delegate bool EntryRule(Caller caller, string grainKey, IInvokable call);

/// <summary>One grain method's decision: the rule an entry call must pass, or none at all (<see cref="Internal"/>).</summary>
internal sealed record GrainCallDecision(EntryRule? Entry)
{
    /// <summary>Never an entry call: whoever the caller, a gateway call carrying one is refused.</summary>
    public static GrainCallDecision Internal { get; } = new((EntryRule?)null);

    public bool Allows(Caller caller, string grainKey, IInvokable call) => Entry?.Invoke(caller, grainKey, call) == true;
}
