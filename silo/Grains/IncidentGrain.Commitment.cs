using Coordination.Domain;
using Coordination.Silo.Grains.Decisions;

namespace Coordination.Silo.Grains;

/// <summary>
/// Commands that touch units, as resumable steps.
/// <para>
/// A release writes its intent first (<see cref="IncidentState.PendingRelease"/>), then asks the units
/// (idempotent on their side), then writes the outcome; a stopped silo or a failed write leaves an
/// intent that the next command, the timer or a retry finishes (<see cref="Resume"/>).
/// </para>
/// <para>
/// A commitment needs no write of its own before the units are asked: each unit's commitment is the
/// intent, durable in the unit and naming the incident and the offer. The incident asks the units,
/// then writes the outcome (the request, the offer and the assignments in one write). If that write
/// fails, the incident reads back what storage holds and lets go of every unit it does not hold
/// (<see cref="LetGoOfUnstored"/>), so a retry finds them free; if the silo stops before it, each unit
/// asks the incident later whether it holds the commitment, and the incident lets go of it when it
/// does not (<see cref="ConfirmCommitment"/>). Either way a commitment is kept only where the incident
/// stored it, and a request is acknowledged only once stored. This saves the incident a whole write per
/// decision. Intents written by earlier builds (<see cref="OfferState.Intent"/>) are still finished.
/// </para>
/// </summary>
internal sealed partial class IncidentGrain
{
    /// <summary>
    /// Finishes whatever a stopped silo (or a failed write) left half-done, oldest first: commitments
    /// whose intent has no outcome, then a release under way. Every command starts here, so no command
    /// builds on a half-finished one.
    /// </summary>
    private async Task Resume()
    {
        TakeStart();
        foreach (var (request, offer) in S.Requests.SelectMany(r => r.Offers.Where(o => o.Status == OfferStatus.Pending && o.Intent is not null).Select(o => (r, o))).ToList())
        {
            try
            {
                await Commit(request, offer, offer.Intent!);
            }
            catch (CoordinationException e) when (e.Code is not (ErrorKind.Unavailable or ErrorKind.Aborted))
            {
                // An all-or-nothing answer that can no longer be honoured was undone; the offer stays open.
            }
        }

        await FinishRelease();
    }

    /// <summary>
    /// Commits units to the offer: the command's start record is made durable, then each unit is asked
    /// (idempotent per offer id), then the outcome is written with the step that ends the command. What
    /// is kept is the request's decision (<see cref="RequestFill.Keep"/>): never more guards than it still
    /// needs; all-or-nothing answers undo partial success, automatic ones keep what could be committed.
    /// </summary>
    private async Task Commit(CapacityRequestState request, OfferState offer, CommitIntent intent)
    {
        BeginStartAhead();
        await StartAheadDurable();

        var results = await Task.WhenAll(intent.UnitKeys.Select(async key =>
        {
            try
            {
                return (Key: key, View: await CommitUnit(key, offer.OfferId), Error: (CoordinationException?)null);
            }
            catch (CoordinationException e)
            {
                return (Key: key, View: (UnitView?)null, Error: e);
            }
            catch (Exception e) when (e is TimeoutException or OrleansException)
            {
                // No answer: taken as not committed, so the command goes on. Had the unit committed after
                // all, it holds a commitment this incident never stores, and its own check lets it go.
                return (Key: key, View: (UnitView?)null, Error: CoordinationException.Unavailable($"the unit did not answer ({e.GetType().Name})"));
            }
        }));

        var failure = results.FirstOrDefault(r => r.Error is not null);
        var keeping = RequestFill.Of(request).Keep(
            offer.Guards,
            results.Where(r => r.View is not null).Select(r => (r.Key, View: r.View!)),
            unit => unit.View.Headcount,
            intent.AllOrNothing,
            anyFailed: failure.Error is not null);
        if (keeping.Refused)
        {
            await Task.WhenAll(keeping.Released.Select(k => Unit(k.Key).Release(offer.OfferId)));
            if (offer.Intent is not null)
            {
                // An earlier build's intent, finished: it is no longer pending.
                offer.Intent = null;
                await Save();
            }

            throw failure.Error is { } error
                ? new CoordinationException(error.Code, $"unit '{UnitKey.Parse(failure.Key).UnitId}': {error.Message}", "unit_ids")
                : CoordinationException.Precondition("the named units hold more guards than the request still needs");
        }

        await Task.WhenAll(keeping.Released.Select(k => Unit(k.Key).Release(offer.OfferId)));

        // The outcome is written with the step that ends the command (re-driving the intent is harmless).
        foreach (var (key, view) in keeping.Kept)
        {
            request.Assignments.Add(new AssignmentState { UnitKey = key, Guards = view.Headcount, OfferId = offer.OfferId, CommittedAt = Now, Until = request.End });
            _unstored.Add((key, offer.OfferId));
        }

        var kept = keeping.Kept.Count > 0;
        offer.CommittedGuards = keeping.KeptGuards;
        offer.Status = kept ? OfferStatus.Committed : OfferStatus.Withdrawn;
        offer.Reason = kept ? null : "none of the suggested units was still available";
        offer.AnswerId = intent.AnswerId;
        offer.Intent = null;
        if (kept)
        {
            Record(TimelineKind.Committed, intent.Actor, null, request, offer.OfferId, offer.CompanyId,
                [.. keeping.Kept.Select(k => UnitKey.Parse(k.Key).UnitId)], offer.CommittedGuards);
        }
        else
        {
            Record(TimelineKind.Withdrawn, "system", offer.Reason, request, offer.OfferId, offer.CompanyId);
        }

        if (!offer.Automatic)
        {
            GrainFactory.Reference<ICompanyGrain>(offer.CompanyId).OfferClosed(offer.OfferId, offer.Status).Ignore();
        }
    }

    /// <summary>
    /// Asks the unit to commit. A real incident takes a unit from an exercise that did not ask for live
    /// capacity: when the unit refuses because it is on such an exercise, the exercise lets it go and
    /// the unit is asked again. Looked at only on a refusal, so a commitment costs one call to the unit.
    /// </summary>
    private async Task<UnitView> CommitUnit(string unitKey, string offerId)
    {
        try
        {
            return await Unit(unitKey).Commit(offerId, IncidentId, Opening.Exercise, Opening.Yielding, Opening.District);
        }
        catch (CoordinationException e) when (e.Code == ErrorKind.FailedPrecondition && !Opening.Exercise)
        {
            var unit = await Unit(unitKey).Get();
            if (unit is not { OnYieldingExercise: true, IncidentId: { } exercise } || exercise == IncidentId)
            {
                throw;
            }

            await GrainFactory.Reference<IIncidentGrain>(exercise).Yield(unitKey, IncidentId);
            return await Unit(unitKey).Commit(offerId, IncidentId, Opening.Exercise, Opening.Yielding, Opening.District);
        }
    }

    // Units committed by this activation whose assignments no write has stored yet.
    private readonly List<(string UnitKey, string OfferId)> _unstored = [];

    /// <summary>
    /// The write that was to store this activation's new commitments failed. Storage is read back: an
    /// ambiguous failure may have stored them after all, and those are kept. Every other unit is let go
    /// now, so a retry finds it free. If storage cannot be read either, each unit's own check does it
    /// later (<see cref="ConfirmCommitment"/>). The activation is on its way out either way.
    /// </summary>
    private async Task LetGoOfUnstored()
    {
        var unstored = _unstored.ToArray();
        _unstored.Clear();
        try
        {
            await state.ReadStateAsync();
            await Task.WhenAll(unstored.Where(c => !Holds(c.UnitKey, c.OfferId)).Select(c => Unit(c.UnitKey).Release(c.OfferId)));
        }
        catch (Exception)
        {
            // Left to the units' checks.
        }
    }

    public async Task ConfirmCommitment(string unitKey, string commitmentId)
    {
        await Resume();

        // What it says it holds must be stored: a command cut short after its units committed may have left its outcome in memory only.
        await SaveIfChanged();
        if (!Holds(unitKey, commitmentId))
        {
            // The command that committed the unit stopped before its outcome was stored: it was never acknowledged.
            await Unit(unitKey).Release(commitmentId);
        }
    }

    /// <summary>Whether the stored state (as this activation has it) holds the unit under this commitment, or will finish doing so.</summary>
    private bool Holds(string unitKey, string commitmentId) =>
        S.Requests.Concat(S.Archived).Any(r =>
            r.Assignments.Exists(a => a.UnitKey == unitKey && a.OfferId == commitmentId && a.Status != AssignmentStatus.Released)
            || r.Offers.Exists(o => o.OfferId == commitmentId && o.Intent is not null && o.Intent.UnitKeys.Contains(unitKey)))
        || S.PendingRelease?.Units.Any(u => u.UnitKey == unitKey && u.OfferId == commitmentId) == true;

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

    /// <summary>The assignments of a request that hold a unit now (optionally only some), as a release names them.</summary>
    private static ReleasedUnit[] Held(CapacityRequestState request, Func<AssignmentState, bool>? which = null) =>
        [.. request.Assignments.Where(a => a.Status != AssignmentStatus.Released && (which is null || which(a)))
            .Select(a => new ReleasedUnit(request.Command.RequestId, a.UnitKey, a.OfferId))];

    /// <summary>
    /// A release that touches other grains, as one resumable step: the intent (with any offers the same
    /// command withdrew) is written first, then the units are asked, then the outcome is written.
    /// </summary>
    private async Task RunRelease(ReleaseIntent intent)
    {
        S.PendingRelease = intent;
        await Save();
        await FinishRelease();
    }

    /// <summary>
    /// Finishes the release under way, if any. Runs at the start of every command and on the timer a
    /// new activation arms, so a release a stopped silo left half-done completes on its own.
    /// </summary>
    private async Task FinishRelease()
    {
        if (S.PendingRelease is not { } intent)
        {
            return;
        }

        // The unit side ignores a release whose commitment is not its current one, so asking again is harmless.
        await Task.WhenAll(intent.Units.Select(u => Unit(u.UnitKey).Release(u.OfferId)));
        foreach (var offer in intent.WithdrawnOffers)
        {
            GrainFactory.Reference<ICompanyGrain>(offer.CompanyId).OfferClosed(offer.OfferId, OfferStatus.Withdrawn).Ignore();
        }

        foreach (var byRequest in intent.Units.GroupBy(u => u.RequestId))
        {
            var request = FindRequest(byRequest.Key);
            var released = byRequest
                .Select(u => request.Assignments.FirstOrDefault(a => a.UnitKey == u.UnitKey && a.OfferId == u.OfferId))
                .OfType<AssignmentState>()
                .Where(a => a.Status != AssignmentStatus.Released)
                .ToList();
            MarkReleased(request, released, intent.Actor, intent.ReleaseReason);
        }

        switch (intent.Cause)
        {
            case ReleaseCause.CancelRequest:
                var cancelled = FindRequest(intent.RequestId!);
                cancelled.Status = RequestStatus.Cancelled;
                Record(TimelineKind.Cancelled, intent.Actor, intent.Reason, cancelled);
                break;

            case ReleaseCause.UnableToFill:
                var unfilled = FindRequest(intent.RequestId!);
                unfilled.Status = RequestStatus.UnableToFill;
                Record(TimelineKind.UnableToFill, intent.Actor, intent.Reason, unfilled, guards: unfilled.Command.Guards);
                break;

            case ReleaseCause.CloseIncident:
                foreach (var request in S.Requests.Where(r => r.Status == RequestStatus.Seeking))
                {
                    request.Status = RequestStatus.Cancelled;
                }

                S.Status = IncidentStatus.Closed;
                S.ClosedAt = Now;
                Record(TimelineKind.Closed, intent.Actor, intent.Reason);
                break;
        }

        S.PendingRelease = null;
        await Save();
        if (S.Status == IncidentStatus.Closed)
        {
            _timer?.Dispose();
            _timer = null;

            // One-way: this may run on the timer while the district is waking us. Close() also awaits it.
            GrainFactory.Reference<IDistrictGrain>(Opening.District).IncidentClosed(IncidentId).Ignore();
        }
    }

    /// <summary>Records units as released (their unit grains have let them go) and completes a request that holds nothing more.</summary>
    private void MarkReleased(CapacityRequestState request, IReadOnlyList<AssignmentState> assignments, string actor, string? reason)
    {
        if (assignments.Count == 0)
        {
            return;
        }

        foreach (var assignment in assignments)
        {
            assignment.Status = AssignmentStatus.Released;
        }

        foreach (var byCompany in assignments.GroupBy(a => UnitKey.Parse(a.UnitKey).CompanyId))
        {
            Record(TimelineKind.Released, actor, reason, request, null, byCompany.Key, [.. byCompany.Select(a => UnitKey.Parse(a.UnitKey).UnitId)], byCompany.Sum(a => a.Guards));
        }

        if (RequestFill.Of(request).Completes)
        {
            request.Status = RequestStatus.Completed;
        }
    }
}
