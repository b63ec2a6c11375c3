using Coordination.Domain;

namespace Coordination.Silo.Grains;

/// <summary>Allocation: offers to companies, their answers and deadlines, and committing named units.</summary>
internal sealed partial class IncidentGrain
{
    // When a company or unit could not be reached, the timer tries again this much later.
    private static readonly TimeSpan RetryDelay = GrainTuning.OfferRetryDelay;

    private IGrainTimer? _timer;

    // Per request, the smallest unit seen that held more guards than were still needed (memory only: it explains an unfilled request).
    private readonly Dictionary<string, int> _smallestTooLarge = new(StringComparer.Ordinal);

    /// <summary>
    /// Makes offers until the request's need is covered by commitments and pending offers, or until
    /// no company has matching units left: own district first, then neighbours (nearest first) when
    /// allowed. Then settles the request if nothing is pending.
    /// </summary>
    private async Task Allocate(CapacityRequestState request)
    {
        while (request.Status == RequestStatus.Seeking && S.Status == IncidentStatus.Open && request.Need > 0)
        {
            var offer = await NextOffer(request);
            if (offer is null)
            {
                break;
            }

            try
            {
                await Deliver(request, offer);
            }
            finally
            {
                // Also when the company could not be reached: the timer re-sends the offer.
                ArmForDeadlines();
            }
        }

        await Settle(request);
        await SaveIfChanged();
        ArmForDeadlines();
    }

    private async Task<OfferState?> NextOffer(CapacityRequestState request)
    {
        var command = request.Command;
        var home = Opening.District;
        var districts = new List<string> { home };
        if (command.AllowNeighbours)
        {
            districts.AddRange(ReferenceData.Current.DistrictsById[home].Neighbours
                .OrderBy(d => Geo.DistanceKm(command.Location, ReferenceData.Current.DistrictsById[d].Position)));
        }

        // A company answering by hand is asked once per request: not again after it answered, declined
        // or let an offer expire. A framework agreement answers at once, so such a company is asked
        // again for units not yet tried while the request still needs guards.
        var askedCompanies = request.Offers.Where(o => o.Status == OfferStatus.Pending || !o.Automatic).Select(o => o.CompanyId).Distinct().ToArray();
        var busyUnits = request.Offers.SelectMany(o => o.SuggestedUnits).Concat(request.Assignments.Select(a => a.UnitKey)).Distinct().ToArray();
        foreach (var district in districts)
        {
            var candidates = await GrainFactory.GetGrain<IDistrictGrain>(district)
                .FindCandidates(command.Capability, command.Location, home, busyUnits, askedCompanies, takeFromExercises: !Opening.Exercise, $"{IncidentId}/{command.RequestId}", request.Need);
            var need = request.Need;

            // Units are never split: a unit larger than what is still needed is not offered, and the request says so if that is all there was.
            foreach (var tooLarge in candidates.Where(c => c.Headcount > need))
            {
                _smallestTooLarge[request.Command.RequestId] = Math.Min(_smallestTooLarge.GetValueOrDefault(request.Command.RequestId, int.MaxValue), tooLarge.Headcount);
            }

            foreach (var company in candidates.GroupBy(c => UnitKey.Parse(c.UnitKey).CompanyId))
            {
                var units = new List<Candidate>();
                var guards = 0;
                foreach (var candidate in company.Where(c => c.Headcount <= need))
                {
                    if (guards + candidate.Headcount <= need)
                    {
                        units.Add(candidate);
                        guards += candidate.Headcount;
                    }
                }

                if (guards == 0)
                {
                    continue;
                }

                var offer = new OfferState
                {
                    OfferId = IncidentIds.Offer(IncidentId, ++S.OffersMade),
                    CompanyId = company.Key,
                    Guards = guards,
                    SuggestedUnits = [.. units.Select(u => u.UnitKey)],
                    Deadline = Now + offerOptions.Value.DeadlineFor(Opening.Priority),
                };
                request.Offers.Add(offer);
                _unsaved = true;
                return offer;
            }
        }

        return null;
    }

    /// <summary>
    /// A framework agreement answers at once: the incident commits the suggested units itself (the
    /// offer and the intent written in one go). Otherwise the offer is written, then given to the
    /// company; if that fails it is re-sent later, and the company keeps one copy per offer id.
    /// </summary>
    private async Task Deliver(CapacityRequestState request, OfferState offer)
    {
        var company = GrainFactory.GetGrain<ICompanyGrain>(offer.CompanyId);
        if (!offer.Delivered && await company.CommitsAutomatically(Opening.Priority))
        {
            offer.Automatic = true;
            offer.Delivered = true;
            Record(TimelineKind.Offered, "system", "framework agreement", request, offer.OfferId, offer.CompanyId,
                [.. offer.SuggestedUnits.Select(k => UnitKey.Parse(k).UnitId)], offer.Guards);
            await Commit(request, offer, new CommitIntent("automatic", offer.SuggestedUnits, $"framework-agreement:{offer.CompanyId}", AllOrNothing: false));
            return;
        }

        if (!S.TimelineTail.Any(e => e.Kind == TimelineKind.Offered && e.OfferId == offer.OfferId))
        {
            Record(TimelineKind.Offered, "system", null, request, offer.OfferId, offer.CompanyId,
                [.. offer.SuggestedUnits.Select(k => UnitKey.Parse(k).UnitId)], offer.Guards);
        }

        await SaveIfChanged();
        await company.ReceiveOffer(Notice(request, offer));
        offer.Delivered = true;
        _unsaved = true;
    }

    public async Task<OfferView> AnswerOffer(string offerId, OfferAnswer answer)
    {
        _ = Opening;
        await Resume();
        var (request, offer) = S.Requests.SelectMany(r => r.Offers.Select(o => (r, o))).FirstOrDefault(x => x.o.OfferId == offerId);
        if (offer is null)
        {
            throw CoordinationException.NotFound($"offer {offerId} does not exist");
        }

        if (offer.CompanyId != answer.CompanyId)
        {
            throw new CoordinationException(ErrorKind.PermissionDenied, $"offer {offerId} is not addressed to company '{answer.CompanyId}'");
        }

        if (offer.Status != OfferStatus.Pending && offer.AnswerId == answer.AnswerId)
        {
            return View(request).Offers.Single(o => o.OfferId == offerId); // a retried answer gets the first result
        }

        EnsureOpen();
        if (offer.Status == OfferStatus.Pending && offer.Deadline <= Now)
        {
            await ExpireDueOffers();
        }

        if (offer.Status != OfferStatus.Pending)
        {
            throw CoordinationException.Precondition(offer.Status switch
            {
                OfferStatus.Expired => $"offer {offerId} expired at {offer.Deadline:u}",
                OfferStatus.Withdrawn => $"offer {offerId} was withdrawn: {offer.Reason}",
                _ => $"offer {offerId} was already answered",
            });
        }

        var actor = $"company:{answer.CompanyId}";
        if (answer.DeclineReason is { } reason)
        {
            offer.Status = OfferStatus.Declined;
            offer.Reason = reason;
            offer.AnswerId = answer.AnswerId;
            Record(TimelineKind.Declined, actor, reason, request, offer.OfferId, offer.CompanyId);
            await Save();
            GrainFactory.GetGrain<ICompanyGrain>(offer.CompanyId).OfferClosed(offer.OfferId, OfferStatus.Declined).Ignore();
            await Allocate(request);
        }
        else
        {
            var keys = answer.CommitUnits.Select(u => UnitKey.Of(answer.CompanyId, u)).ToArray();
            await CheckNamedUnits(request, offer, keys);
            await Commit(request, offer, new CommitIntent(answer.AnswerId, keys, actor, AllOrNothing: true));
            await Allocate(request);
        }

        return View(request).Offers.Single(o => o.OfferId == offerId);
    }

    /// <summary>Refuses an answer that could not be honoured before anything is written: unknown, unavailable or too many units.</summary>
    private async Task CheckNamedUnits(CapacityRequestState request, OfferState offer, string[] keys)
    {
        var views = await Task.WhenAll(keys.Select(k => Unit(k).Get()));
        var guards = 0;
        for (var i = 0; i < keys.Length; i++)
        {
            var unitId = UnitKey.Parse(keys[i]).UnitId;
            var unit = views[i] ?? throw new CoordinationException(ErrorKind.NotFound, $"unit '{unitId}' is not registered by company '{offer.CompanyId}'", $"unit_ids[{i}]");
            if (!unit.CountedAvailable && !(unit.OnYieldingExercise && !unit.Stale && !Opening.Exercise))
            {
                throw new CoordinationException(ErrorKind.FailedPrecondition,
                    $"unit '{unitId}' is {UnitTransitions.Describe(unit.Status)}{(unit.Stale ? " and stale" : "")}, not available", $"unit_ids[{i}]");
            }

            if (!unit.Capabilities.Contains(request.Command.Capability))
            {
                throw new CoordinationException(ErrorKind.FailedPrecondition, $"unit '{unitId}' has no {request.Command.Capability} capability", $"unit_ids[{i}]");
            }

            guards += unit.Headcount;
        }

        var allowed = Math.Min(offer.Guards, request.Command.Guards - request.EverCommittedGuards);
        if (guards > allowed)
        {
            throw new CoordinationException(ErrorKind.FailedPrecondition, $"these units hold {guards} guards; the offer is for at most {allowed}", "unit_ids");
        }
    }

    /// <summary>
    /// Commits units to the offer: the intent is written first, then each unit is asked (idempotent
    /// per offer id), then the outcome is written. All-or-nothing answers undo partial success;
    /// automatic ones keep what could be committed. Never more guards than the request still needs.
    /// </summary>
    private async Task Commit(CapacityRequestState request, OfferState offer, CommitIntent intent)
    {
        offer.Intent = intent;
        await Save();

        var results = await Task.WhenAll(intent.UnitKeys.Select(async key =>
        {
            try
            {
                await TakeFromExercise(key);
                return (Key: key, View: await Unit(key).Commit(offer.OfferId, IncidentId, Opening.Exercise, Opening.Yielding, Opening.District), Error: (CoordinationException?)null);
            }
            catch (CoordinationException e)
            {
                return (Key: key, View: (UnitView?)null, Error: e);
            }
        }));

        var room = Math.Min(offer.Guards, request.Command.Guards - request.EverCommittedGuards);
        var kept = new List<(string Key, UnitView View)>();
        var undo = new List<string>();
        foreach (var (key, view, _) in results)
        {
            if (view is null)
            {
                continue;
            }

            if (view.Headcount <= room)
            {
                kept.Add((key, view));
                room -= view.Headcount;
            }
            else
            {
                undo.Add(key);
            }
        }

        var failure = results.FirstOrDefault(r => r.Error is not null);
        if (intent.AllOrNothing && (failure.Error is not null || undo.Count > 0))
        {
            await Task.WhenAll(kept.Select(k => k.Key).Concat(undo).Select(k => Unit(k).Release(offer.OfferId)));
            offer.Intent = null;
            await Save();
            throw failure.Error is { } error
                ? new CoordinationException(error.Code, $"unit '{UnitKey.Parse(failure.Key).UnitId}': {error.Message}", "unit_ids")
                : CoordinationException.Precondition("the named units hold more guards than the request still needs");
        }

        await Task.WhenAll(undo.Select(k => Unit(k).Release(offer.OfferId)));

        // The outcome is written with the step that ends the command (re-driving the intent is harmless).
        foreach (var (key, view) in kept)
        {
            request.Assignments.Add(new AssignmentState { UnitKey = key, Guards = view.Headcount, OfferId = offer.OfferId, CommittedAt = Now, Until = request.End });
        }

        offer.CommittedGuards = kept.Sum(k => k.View.Headcount);
        offer.Status = kept.Count > 0 ? OfferStatus.Committed : OfferStatus.Withdrawn;
        offer.Reason = kept.Count > 0 ? null : "none of the suggested units was still available";
        offer.AnswerId = intent.AnswerId;
        offer.Intent = null;
        if (kept.Count > 0)
        {
            Record(TimelineKind.Committed, intent.Actor, null, request, offer.OfferId, offer.CompanyId,
                [.. kept.Select(k => UnitKey.Parse(k.Key).UnitId)], offer.CommittedGuards);
        }
        else
        {
            Record(TimelineKind.Withdrawn, "system", offer.Reason, request, offer.OfferId, offer.CompanyId);
        }

        if (!offer.Automatic)
        {
            GrainFactory.GetGrain<ICompanyGrain>(offer.CompanyId).OfferClosed(offer.OfferId, offer.Status).Ignore();
        }
    }

    /// <summary>A real incident takes a unit from an exercise that did not ask for live capacity: the exercise lets it go first.</summary>
    private async Task TakeFromExercise(string unitKey)
    {
        if (Opening.Exercise)
        {
            return;
        }

        var unit = await Unit(unitKey).Get();
        if (unit is { OnYieldingExercise: true, IncidentId: { } exercise } && exercise != IncidentId)
        {
            await GrainFactory.GetGrain<IIncidentGrain>(exercise).Yield(unitKey, IncidentId);
        }
    }

    public async Task Yield(string unitKey, string toIncident)
    {
        if (S.Opening is not { Yielding: true })
        {
            throw CoordinationException.Precondition($"incident {IncidentId} is not an exercise that yields its units");
        }

        await Resume();
        var held = S.Requests.SelectMany(r => Held(r, a => a.UnitKey == unitKey)).ToArray();
        if (held.Length > 0)
        {
            await RunRelease(new ReleaseIntent(ReleaseCause.Yield, $"incident:{toIncident}", $"needed by real incident {toIncident}", null, null, held, []));
        }
    }

    /// <summary>Decides a request once nothing is pending: filled, partly filled, or unable to fill.</summary>
    private async Task Settle(CapacityRequestState request)
    {
        if (request.Status != RequestStatus.Seeking || request.PendingGuards > 0)
        {
            return;
        }

        var committed = request.EverCommittedGuards;
        if (committed >= request.Command.Guards)
        {
            request.Status = RequestStatus.Filled;
            Record(TimelineKind.Filled, "system", null, request, guards: committed);
        }
        else if (committed > 0 && request.Command.AllowPartial)
        {
            request.Status = RequestStatus.PartiallyFilled;
            Record(TimelineKind.UnableToFill, "system", $"{request.Command.Guards - committed} of {request.Command.Guards} guards could not be found", request, guards: request.Command.Guards - committed);
        }
        else
        {
            var reason = committed > 0
                ? $"only {committed} of {request.Command.Guards} guards could be found and partial fill is not allowed"
                : _smallestTooLarge.TryGetValue(request.Command.RequestId, out var smallest)
                    ? $"no available unit small enough: units are not split, and the smallest available unit with this capability has {smallest} guards"
                    : "no available units with this capability";
            await RunRelease(new ReleaseIntent(ReleaseCause.UnableToFill, "system", "partial fill not allowed", reason, request.Command.RequestId, Held(request), []));
        }

        _smallestTooLarge.Remove(request.Command.RequestId);
    }

    /// <summary>Withdraws the request's pending offers in state; the companies are told once the command's write is durable.</summary>
    private WithdrawnOffer[] Withdraw(CapacityRequestState request, string actor, string reason)
    {
        var withdrawn = new List<WithdrawnOffer>();
        foreach (var offer in request.Offers.Where(o => o.Status == OfferStatus.Pending))
        {
            offer.Status = OfferStatus.Withdrawn;
            offer.Reason = reason;
            Record(TimelineKind.Withdrawn, actor, reason, request, offer.OfferId, offer.CompanyId);
            withdrawn.Add(new WithdrawnOffer(offer.OfferId, offer.CompanyId));
        }

        return [.. withdrawn];
    }

    private async Task ExpireDueOffers()
    {
        var due = S.Requests.SelectMany(r => r.Offers.Where(o => o.Status == OfferStatus.Pending && o.Intent is null && o.Deadline <= Now).Select(o => (r, o))).ToList();
        foreach (var (request, offer) in due)
        {
            offer.Status = OfferStatus.Expired;
            offer.Reason = "no answer before the deadline";
            Record(TimelineKind.Expired, "system", offer.Reason, request, offer.OfferId, offer.CompanyId, guards: offer.Guards);
        }

        if (due.Count > 0)
        {
            await Save();

            // Told only once the expiry is stored: a company never drops an offer the incident still holds open.
            foreach (var (_, offer) in due)
            {
                GrainFactory.GetGrain<ICompanyGrain>(offer.CompanyId).OfferClosed(offer.OfferId, OfferStatus.Expired).Ignore();
            }

            foreach (var request in due.Select(d => d.r).Distinct())
            {
                await Allocate(request);
            }
        }
    }

    /// <summary>
    /// The incident's one timer: finishes commitments and deliveries a stopped silo left half-done,
    /// expires offers past their deadline (the request then moves on), and resumes allocation.
    /// </summary>
    private async Task OnTimer(CancellationToken cancellationToken)
    {
        await DrainAuditOutbox();
        if (S.Opening is null || S.Status != IncidentStatus.Open)
        {
            return;
        }

        // Half-finished commitments and releases first (a pending close closes the incident here).
        await Resume();
        if (S.Status != IncidentStatus.Open)
        {
            return;
        }

        foreach (var request in S.Requests.Where(r => r.Status == RequestStatus.Seeking).ToList())
        {
            foreach (var offer in request.Offers.Where(o => o.Status == OfferStatus.Pending && o.Intent is null && !o.Delivered).ToList())
            {
                await Deliver(request, offer);
            }
        }

        await ExpireDueOffers();
        foreach (var request in S.Requests.Where(r => r.Status == RequestStatus.Seeking).ToList())
        {
            await Allocate(request);
        }

        await SaveIfChanged();
        ArmForDeadlines();
    }

    private void ArmForDeadlines()
    {
        var next = S.Requests.SelectMany(r => r.Offers).Where(o => o.Status == OfferStatus.Pending)
            .Select(o => (DateTimeOffset?)(o.Intent is not null || !o.Delivered ? Now + RetryDelay : o.Deadline))
            .Append(S.PendingRelease is null ? null : Now + RetryDelay)
            .Min();
        if (next is { } deadline && S.Status == IncidentStatus.Open)
        {
            ArmTimer(deadline - Now);
        }
        else if (S.AuditOutbox.Count > 0)
        {
            // A start record still to be appended keeps the timer, even on a closed incident.
            ArmTimer(RetryDelay);
        }
        else
        {
            _timer?.Dispose();
            _timer = null;
        }
    }

    private void ArmTimer(TimeSpan due)
    {
        due = due < TimeSpan.Zero ? TimeSpan.Zero : due;
        if (_timer is null)
        {
            _timer = this.RegisterGrainTimer(OnTimer, new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan) { KeepAlive = true });
        }
        else
        {
            _timer.Change(due, Timeout.InfiniteTimeSpan);
        }
    }

    private OfferNotice Notice(CapacityRequestState request, OfferState offer) => new(
        offer.OfferId, offer.CompanyId, Opening.District, request.Command.Capability, offer.Guards, request.Command.Location,
        request.Command.Start, request.End, Opening.Priority, Opening.Exercise, offer.Deadline,
        [.. offer.SuggestedUnits.Select(k => UnitKey.Parse(k).UnitId)], offer.Status);
}
