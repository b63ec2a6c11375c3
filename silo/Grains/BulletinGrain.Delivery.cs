using Coordination.Domain;
using Coordination.Silo.Grains.Decisions;
using Microsoft.Extensions.Logging;

namespace Coordination.Silo.Grains;

/// <summary>
/// What a bulletin owes and when: taking over its predecessor, deliveries to the companies' feeds,
/// its deadline, expiry and erasure. Every step is idempotent, so a retry, the timer and a wake-up
/// after a crash all run the same <see cref="Finish"/>.
/// </summary>
internal sealed partial class BulletinGrain
{
    private static readonly TimeSpan RetryDelay = GrainTuning.BulletinRetryDelay;
    private static readonly TimeSpan Horizon = GrainTuning.BulletinTimerHorizon;

    private FinishTimer? _timer;

    private FinishTimer Timer => _timer ??= new(this, Finish, logger, $"Bulletin {BulletinId}");

    // What the district last heard from this activation about the bulletin (listed as outstanding, when to wake it).
    private (bool Outstanding, DateTimeOffset? WakeAt)? _recordedAs;

    /// <summary>Does whatever is due or owed, then arms the timer for what comes next.</summary>
    private async Task Finish()
    {
        if (S.Command is null)
        {
            // Listed by its district, never stored (its write failed, or the silo died between the two): the
            // district stops waking it. A later retry of the same issue lists it again.
            await GrainFactory.Reference<IDistrictGrain>(District).BulletinRecorded(BulletinId, outstanding: false, wakeAt: null);
            return;
        }

        try
        {
            var now = Now;
            if (BulletinLifecycle.PassDeadline(S, now) | BulletinLifecycle.Expire(S, now) | BulletinLifecycle.Erase(S, now, Retention))
            {
                await state.WriteStateAsync();
            }

            if (S.PredecessorPending)
            {
                await TakeOverPredecessor();
            }

            await Deliver();
            await Recorded();
            TellDistrict();
        }
        finally
        {
            ArmNext();
        }
    }

    private async Task TakeOverPredecessor()
    {
        var command = S.Command!;
        try
        {
            await GrainFactory.Reference<IBulletinGrain>(command.References!).Supersede(BulletinId, command.Message);
        }
        catch (CoordinationException e) when (e.Code is ErrorKind.FailedPrecondition or ErrorKind.NotFound)
        {
            // Another bulletin followed it first (or it ended): this one is refused for good, its recipients told nothing.
            S.Refusal = e.Message;
            S.EndedAt ??= Now;
        }

        S.PredecessorPending = false;
        await state.WriteStateAsync();
    }

    /// <summary>
    /// Every delivery owed, at once; each counts once the company's feed has recorded it. One that
    /// fails stays owed for the timer: the bulletin is stored, and the answer shows who has it so far.
    /// </summary>
    private async Task Deliver()
    {
        var owed = BulletinLifecycle.Owed(S);
        if (owed.Count == 0)
        {
            return;
        }

        var view = BulletinLifecycle.View(BulletinId, S);
        var results = await Task.WhenAll(owed.Select(async o =>
        {
            try
            {
                var delivery = new BulletinDelivery(BulletinId, S.Chain[0], o.Kind, S.Command!.Expires);
                var companyView = view with { Recipients = [.. view.Recipients.Where(r => r.CompanyId == o.Recipient.CompanyId)] };
                await GrainFactory.Reference<ICompanyBulletinsGrain>(o.Recipient.CompanyId).Record(delivery, companyView);
                return true;
            }
            catch (Exception e) when (e is CoordinationException or OrleansException or TimeoutException)
            {
                LogDeliveryFailed(e, BulletinId, o.Recipient.CompanyId);
                return false;
            }
        }));

        var now = Now;
        for (var i = 0; i < owed.Count; i++)
        {
            if (results[i])
            {
                BulletinLifecycle.Delivered(owed[i].Recipient, owed[i].Kind, now);
            }
        }

        if (results.Any(delivered => delivered))
        {
            await state.WriteStateAsync();
        }
    }

    /// <summary>Keeps the district's list right: outstanding or not, and when to wake it for its erasure.</summary>
    private async Task Recorded()
    {
        // Listed as needing a wake while it is outstanding or still owes anything (an end, a cancel's
        // deliveries, its predecessor's take-over): after a crash its district brings it back for that.
        var owes = BulletinLifecycle.Owed(S).Count > 0 || S.PredecessorPending;
        var now = ((S.State == BulletinState.Outstanding && S.Refusal is null) || owes, BulletinLifecycle.EraseAt(S, Retention));
        if (_recordedAs != now)
        {
            await GrainFactory.Reference<IDistrictGrain>(District).BulletinRecorded(BulletinId, now.Item1, now.Item2);
            _recordedAs = now;
        }
    }

    // One-way: the board line is memory in the district, sent again whenever the bulletin wakes.
    private void TellDistrict()
    {
        if (S.Command is not null && S.Refusal is null)
        {
            GrainFactory.Reference<IDistrictGrain>(District).BulletinChanged(BulletinSummary.Of(BulletinLifecycle.View(BulletinId, S))).Ignore();
        }
    }

    private void ArmNext()
    {
        var now = Now;
        // Nothing soon: the activation may go; the district's reminder wakes it when its erasure is due.
        Timer.At(BulletinLifecycle.Owed(S).Count > 0 || S.PredecessorPending ? now + RetryDelay : BulletinLifecycle.NextDue(S, Retention), now, Horizon);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Bulletin {Bulletin} could not reach company {Company}'s feed; it tries again")]
    private partial void LogDeliveryFailed(Exception exception, string bulletin, string company);
}
