using Coordination.Domain;

namespace Coordination.Silo.Grains;

/// <summary>
/// Deadlines and retries: the incident's one timer, armed for the earliest offer deadline, or sooner
/// when a commitment, a delivery or a release is waiting to be tried again. The deadlines are in the
/// state, so a new activation (after a restart, woken by its district) arms it again.
/// </summary>
internal sealed partial class IncidentGrain
{
    // When a company or unit could not be reached, the timer tries again this much later.
    private static readonly TimeSpan RetryDelay = GrainTuning.OfferRetryDelay;

    private IGrainTimer? _timer;

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
                GrainFactory.Reference<ICompanyGrain>(offer.CompanyId).OfferClosed(offer.OfferId, OfferStatus.Expired).Ignore();
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
        _timer = this.Arm(_timer, OnTimer, due < TimeSpan.Zero ? TimeSpan.Zero : due);
    }
}
