using Coordination.Domain;
using Coordination.Silo.Grains.Decisions;

namespace Coordination.Silo.Grains;

/// <summary>
/// Allocation: offers to companies (planned by <see cref="OfferPlanner"/>), their delivery, the
/// companies' answers, and settling a request once nothing is pending (<see cref="RequestFill.Settle"/>).
/// </summary>
internal sealed partial class IncidentGrain
{
    // Per request, the smallest unit seen that held more guards than were still needed (memory only: it explains an unfilled request).
    private readonly Dictionary<string, int> _smallestTooLarge = new(StringComparer.Ordinal);

    /// <summary>
    /// Makes offers until the request's need is covered by commitments and pending offers, or until
    /// no company has matching units left: own district first, then neighbours (nearest first) when
    /// allowed. Then settles the request if nothing is pending.
    /// </summary>
    private async Task Allocate(CapacityRequestState request)
    {
        while (request.Status == RequestStatus.Seeking && S.Status == IncidentStatus.Open && RequestFill.Of(request).Need > 0)
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
        var planner = new OfferPlanner(request);
        foreach (var district in OfferPlanner.Districts(Opening.District, command, ReferenceData.Current))
        {
            var candidates = await GrainFactory.Reference<IDistrictGrain>(district)
                .FindCandidates(command.Capability, command.Location, Opening.District, planner.TriedUnits, planner.AskedCompanies,
                    takeFromExercises: !Opening.Exercise, $"{IncidentId}/{command.RequestId}", planner.Need);
            if (planner.SmallestTooLarge(candidates) is { } tooLarge)
            {
                _smallestTooLarge[command.RequestId] = Math.Min(_smallestTooLarge.GetValueOrDefault(command.RequestId, int.MaxValue), tooLarge);
            }

            if (planner.Choose(candidates) is not { } planned)
            {
                continue;
            }

            var offer = new OfferState
            {
                OfferId = IncidentIds.Offer(IncidentId, ++S.OffersMade),
                CompanyId = planned.CompanyId,
                Guards = planned.Guards,
                SuggestedUnits = planned.UnitKeys,
                Deadline = Now + offerOptions.Value.DeadlineFor(Opening.Priority),
            };
            request.Offers.Add(offer);
            _unsaved = true;
            return offer;
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
        var company = GrainFactory.Reference<ICompanyGrain>(offer.CompanyId);
        if (!offer.Delivered && await company.CommitsAutomatically(Opening.Priority))
        {
            offer.Automatic = true;
            offer.Delivered = true;
            Record(TimelineKind.Offered, "system", "framework agreement", request, offer.OfferId, offer.CompanyId,
                [.. offer.SuggestedUnits.Select(k => UnitKey.Parse(k).UnitId)], offer.Guards);
            await Commit(request, offer, new CommitIntent("automatic", offer.SuggestedUnits, $"framework-agreement:{offer.CompanyId}", AllOrNothing: false));
            return;
        }

        // An offer sent again after a failed delivery is on the timeline once.
        if (!Timeline.TailHas(e => e.Kind == TimelineKind.Offered && e.OfferId == offer.OfferId))
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
        var (request, offer) = await FindOffer(offerId) ?? throw CoordinationException.NotFound($"offer {offerId} does not exist");

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
            GrainFactory.Reference<ICompanyGrain>(offer.CompanyId).OfferClosed(offer.OfferId, OfferStatus.Declined).Ignore();
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

    /// <summary>An offer and its request: among the live and archived requests, then (a late or retried answer) in the sealed pages.</summary>
    private async Task<(CapacityRequestState Request, OfferState Offer)?> FindOffer(string offerId)
    {
        static (CapacityRequestState, OfferState)? In(IEnumerable<CapacityRequestState> requests, string offerId) =>
            requests.SelectMany(r => r.Offers.Where(o => o.OfferId == offerId).Select(o => ((CapacityRequestState, OfferState)?)(r, o))).FirstOrDefault();

        var found = In(S.Requests.Concat(S.Archived), offerId);
        if (found is null && Archive.HasPages)
        {
            // Newest copy first: a request brought back from a page and archived again is in a later page.
            found = In((await ArchivedPages()).Reverse().SelectMany(p => p.Reverse()), offerId);
        }

        return found;
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

        var allowed = RequestFill.Of(request).RoomFor(offer.Guards);
        if (guards > allowed)
        {
            throw new CoordinationException(ErrorKind.FailedPrecondition, $"these units hold {guards} guards; the offer is for at most {allowed}", "unit_ids");
        }
    }

    /// <summary>Settles a request once nothing is pending: filled, partly filled, or unable to fill (which releases what it holds).</summary>
    private async Task Settle(CapacityRequestState request)
    {
        var requestId = request.Command.RequestId;
        var smallestTooLarge = _smallestTooLarge.TryGetValue(requestId, out var smallest) ? smallest : (int?)null;
        if (RequestFill.Of(request).Settle(smallestTooLarge) is not { } settlement)
        {
            return;
        }

        switch (settlement.Status)
        {
            case RequestStatus.Filled:
                request.Status = RequestStatus.Filled;
                Record(TimelineKind.Filled, "system", null, request, guards: settlement.Guards);
                break;

            case RequestStatus.PartiallyFilled:
                request.Status = RequestStatus.PartiallyFilled;
                Record(TimelineKind.UnableToFill, "system", settlement.Reason, request, guards: settlement.Guards);
                break;

            default:
                await RunRelease(new ReleaseIntent(ReleaseCause.UnableToFill, "system", "partial fill not allowed", settlement.Reason, requestId, Held(request), []));
                break;
        }

        _smallestTooLarge.Remove(requestId);
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

    private OfferNotice Notice(CapacityRequestState request, OfferState offer) => new(
        offer.OfferId, offer.CompanyId, Opening.District, request.Command.Capability, offer.Guards, request.Command.Location,
        request.Command.Start, request.End, Opening.Priority, Opening.Exercise, offer.Deadline,
        [.. offer.SuggestedUnits.Select(k => UnitKey.Parse(k).UnitId)], offer.Status);
}
