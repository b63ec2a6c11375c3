using Coordination.Domain;
using Coordination.Silo.Grains.Decisions;
using Coordination.Silo.Persistence;
using Microsoft.Extensions.Options;

namespace Coordination.Silo.Grains;

/// <summary>
/// An incident and its capacity requests. The incident is the only writer of its requests, offers
/// and assignments, and it alone asks units to commit, so "a request never receives more than it
/// asked for" is checked in one place, one command at a time. Calls flow outward only
/// (incident → district, company, unit); nobody awaits the incident back, so no call cycle can stall.
/// <para>
/// The grain applies decisions made by plain classes (<see cref="RequestFill"/>, <see cref="OfferPlanner"/>,
/// <see cref="IncidentTimeline"/>) and owns the order of writes and calls. Its parts, by protocol:
/// this file (state, activation, writes, views); <c>.Commands</c> (the police's commands);
/// <c>.Offers</c> (allocation and the companies' answers); <c>.Commitment</c> (intents that touch
/// units: commit and release, resumed after a stop); <c>.Deadlines</c> (the one timer);
/// <c>.Dashboards</c> (the district's board line and dashboard watchers).
/// </para>
/// </summary>
internal sealed partial class IncidentGrain(
    [PersistentState("incident", StorageNames.Grains)] IPersistentState<IncidentState> state,
    IOptions<OfferOptions> offerOptions,
    Audit.StartRecords startRecords,
    TimeProvider time) : Grain, IIncidentGrain
{
    private IncidentState S => state.State;
    private IncidentTimeline Timeline => new(S);
    private RequestArchive Archive => new(S);
    private string IncidentId => this.GetPrimaryKeyString();
    private DateTimeOffset Now => time.GetUtcNow();
    private OpenIncident Opening => S.Opening ?? throw CoordinationException.NotFound($"incident '{IncidentId}' does not exist");

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        Archive.NumberOlderRequests();

        // Deadlines, half-finished commitments and undelivered offers are all in the state: one
        // pass right after activation picks each of them up again.
        if (S.Opening is not null && (S.Status == IncidentStatus.Open || S.AuditOutbox.Count > 0))
        {
            ArmTimer(TimeSpan.Zero);
        }

        return Task.CompletedTask;
    }

    public Task Wake()
    {
        // The district asks after it (re)activates: it keeps the board lines in memory only.
        TellDistrict(again: true);

        // The district only wakes incidents it lists as open: a close that stopped before telling it is told now
        // (one-way: the district is waking us).
        if (S.Opening is { } opening && S.Status == IncidentStatus.Closed)
        {
            GrainFactory.Reference<IDistrictGrain>(opening.District).IncidentClosed(IncidentId).Ignore();
        }

        return Task.CompletedTask;
    }

    public async Task<IncidentView> Get()
    {
        var opening = Opening;
        var timeline = Timeline;
        var pages = await Task.WhenAll(timeline.Pages.Select(p => Page(p).Read()));
        var requests = Archive.Whole(await ArchivedPages());
        return new IncidentView(
            IncidentId, opening.District, opening.Title, opening.Location, opening.Priority, opening.Exercise,
            S.Status, S.OpenedAt, S.ClosedAt, [.. requests.Select(View)], timeline.Whole(pages), opening.UsesLiveCapacity);
    }

    // The sealed pages of archived requests and their ids, read once per activation (a sealed page does
    // not change) and kept up to date as pages are sealed.
    private List<IReadOnlyList<CapacityRequestState>>? _archivedPages;
    private HashSet<string>? _archivedIds;

    private async Task<IReadOnlyList<IReadOnlyList<CapacityRequestState>>> ArchivedPages()
    {
        if (_archivedPages is null)
        {
            var read = await Task.WhenAll(Archive.Pages.Select(p => RequestPage(p).Read()));
            _archivedPages = [.. read];
            _archivedIds = RequestArchive.Ids(read);
        }

        return _archivedPages;
    }

    private void EnsureOpen()
    {
        if (Opening is not null && S.Status == IncidentStatus.Closed)
        {
            throw CoordinationException.Precondition($"incident {IncidentId} is closed");
        }
    }

    /// <summary>A request in the incident's own state (live or archived, not yet sealed), as a release under way names it.</summary>
    private CapacityRequestState FindRequest(string requestId) => Archive.Find(requestId) ?? throw NoRequest(requestId);

    private CoordinationException NoRequest(string requestId) => CoordinationException.NotFound($"incident {IncidentId} has no request '{requestId}'");

    /// <summary>A request by id, wherever it is; null when the incident never had it.</summary>
    private async Task<CapacityRequestState?> FindAnyRequest(string requestId)
    {
        var archive = Archive;
        var found = archive.Find(requestId);
        if (found is not null || !archive.HasPages)
        {
            return found;
        }

        var pages = await ArchivedPages();
        return _archivedIds!.Contains(requestId) ? RequestArchive.FindSealed(pages, r => r.Command.RequestId == requestId) : null;
    }

    /// <summary>
    /// An archived request is to change: it comes back to the live list. One read from a sealed page is
    /// the cached page's own object; the cache is let go, so what it holds stays what storage holds.
    /// </summary>
    private void BringBack(CapacityRequestState request)
    {
        if (!S.Requests.Contains(request) && !S.Archived.Contains(request))
        {
            _archivedPages = null;
            _archivedIds = null;
        }

        Archive.BringBack(request);
    }

    private async Task<CapacityRequestState> GetRequest(string requestId) => await FindAnyRequest(requestId) ?? throw NoRequest(requestId);

    private IGuardUnitGrain Unit(string unitKey) => GrainFactory.Reference<IGuardUnitGrain>(unitKey);

    private ITimelinePageGrain Page(int page) => GrainFactory.Reference<ITimelinePageGrain>($"{IncidentId}/{page}");

    private IRequestPageGrain RequestPage(int page) => GrainFactory.Reference<IRequestPageGrain>($"{IncidentId}/{page}");

    private void Record(
        TimelineKind kind, string actor, string? reason, CapacityRequestState? request = null, string? offerId = null,
        string? companyId = null, string[]? units = null, int guards = 0, string? observationId = null)
    {
        var at = Now;
        Timeline.Append(sequence => new TimelineEvent(
            sequence, at, kind, actor, reason, request?.Command.RequestId, offerId, companyId, units ?? [], guards, observationId));
        _unsaved = true;
    }

    // Changes not yet written. Steps that must be durable before the next call out save at once;
    // the rest is written with the step that ends the command.
    private bool _unsaved;

    private async Task SaveIfChanged()
    {
        if (_unsaved)
        {
            await Save();
        }
    }

    /// <summary>
    /// Writes the state. Requests that are over are archived, and a full archive or timeline tail is
    /// sealed into a page first (see <see cref="RequestArchive"/> and <see cref="IncidentTimeline"/>).
    /// </summary>
    private async Task Save()
    {
        // A start record appended ahead of the command's first change is in the chain before any write.
        await StartAheadDurable();
        try
        {
            await Write();
        }
        catch (Exception) when (_unstored.Count > 0)
        {
            await LetGoOfUnstored();
            throw;
        }

        _unstored.Clear();
        _unsaved = false;

        // A command may write more than once (a release's intent, then its outcome); the district's board shows
        // the outcome, so within a call the district is told once, when the call ends (Invoke). Timers
        // and other work outside a call tell it at once.
        if (_callsRunning > 0)
        {
            _districtBehind = true;
        }
        else
        {
            TellDistrict();
        }

        AnnounceToWatchers();
    }

    /// <summary>The pages due, then the incident's own state. A failure of either takes the activation out of service.</summary>
    private async Task Write()
    {
        try
        {
            await SealPages();
        }
        catch (Exception)
        {
            // The change is in memory and only part of it could be stored: this activation is as out of
            // step with storage as after a failed write of its own, and goes the same way (reloaded on the next call).
            InStepGrainStorage.Abandon(GrainContext, "a page write failed: memory may be ahead of storage");
            throw;
        }

        // A command's start record rides in its first write and is appended to the chain beside it; the
        // command goes on meanwhile and waits for that append only before it answers (see Invoke).
        var start = StartForWrite();
        var written = state.WriteStateAsync();
        if (start is not null)
        {
            _startAppended = AppendStart(start);
        }

        await written;
    }

    /// <summary>Archives requests that are over, and seals a full archive or timeline tail into its page.</summary>
    private async Task SealPages()
    {
        var archive = Archive;
        archive.Collect(S.PendingRelease);
        while (archive.PageToSeal is { } requests)
        {
            await RequestPage(requests.Number).Write(requests.Requests);
            if (archive.Sealed(requests) && _archivedPages is not null)
            {
                _archivedPages.Add(requests.Requests);
                _archivedIds!.UnionWith(requests.Requests.Select(r => r.Command.RequestId));
            }
        }

        var timeline = Timeline;
        if (timeline.PageToSeal is { } page)
        {
            await Page(page.Number).Write(page.Events);
            timeline.Sealed(page);
        }
    }

    // Calls running in this activation (see Invoke), and whether a write since they began is not yet on the district's board.
    private int _callsRunning;
    private bool _districtBehind;

    // Committed guards are what is held now; guards committed and later released are history, shown apart.
    private RequestView View(CapacityRequestState r) => new(
        r.Command.RequestId, r.Command.Capability, r.Command.Guards, r.Command.Location, r.Command.Start, r.End,
        r.Command.AllowPartial, r.Command.AllowNeighbours, r.Status, r.HeldGuards, r.PendingGuards,
        [.. r.Offers.Select(o =>
        {
            var held = r.Assignments.Where(a => a.OfferId == o.OfferId && a.Status != AssignmentStatus.Released).Sum(a => a.Guards);
            return new OfferView(o.OfferId, r.Command.RequestId, o.CompanyId, o.Guards,
                [.. o.SuggestedUnits.Select(k => UnitKey.Parse(k).UnitId)], o.Status, o.Deadline, held, o.Reason, o.Automatic, o.CommittedGuards - held);
        })],
        [.. r.Assignments.Select(a => View(a, r))],
        r.EverCommittedGuards - r.HeldGuards);

    private static AssignmentView View(AssignmentState a, CapacityRequestState r)
    {
        var (company, unit) = UnitKey.Parse(a.UnitKey);
        return new AssignmentView(company, unit, a.Guards, a.Status, r.Command.RequestId, a.OfferId, a.CommittedAt, a.Until);
    }
}
