using Coordination.Domain;
using Coordination.Silo.Grains.Decisions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Utilities;

namespace Coordination.Silo.Grains;

/// <summary>
/// A police district's observation queue (<see cref="ObservationFeed"/>): one numbered event per new
/// version of an observation routed here, stored before it is told to the district's watchers (the
/// queue streams), the list of observations to wake after a restart, and the days whose observations
/// it sweeps for erasure (<see cref="IObservationDayGrain"/>), kept by a durable reminder while either
/// is not empty. It holds lines (category, position, stage), never text or photos, and tells
/// each new one to its district for the district's dashboards.
/// </summary>
[Orleans.Concurrency.Reentrant]
internal sealed class ObservationQueueGrain(
    [PersistentState("observation-queue", StorageNames.Grains)] IPersistentState<ObservationFeedState> state,
    TimeProvider time,
    IOptions<OfferOptions> offerOptions,
    IOptions<ObservationOptions> observationOptions,
    ILogger<ObservationQueueGrain> logger) : Grain, IObservationQueueGrain, IRemindable
{
    private const string WakeReminder = "wake-observations";

    private readonly ObserverManager<IObservationObserver> _watchers = ObserverLeases.Create<IObservationObserver>(time);
    private IGrainReminder? _reminder;

    private ObservationFeed Feed => new(state.State);

    // Reports and changes from many observations at once share writes (see CoalescedWrites): the grain is
    // reentrant, and every change to its state is made before the write it waits for.
    private CoalescedWrites? _writes;

    private CoalescedWrites Writes => _writes ??= new(state.WriteStateAsync);

    private string DistrictId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await WakeDue();
        await KeepReminder();
    }

    public async Task Expect(string observationId, DateOnly? reportedOn)
    {
        var listed = state.State.Wake.TryAdd(observationId, time.GetUtcNow());
        if ((reportedOn is { } day && state.State.Days.Add(day)) | listed)
        {
            await Writes.Stored();
            await KeepReminder();
        }
    }

    public async Task<long> Record(ObservationLine line, ObservationView view, bool owes)
    {
        if (line.District != DistrictId)
        {
            throw CoordinationException.Invalid("observation_id", $"'{line.Id}' was routed to {line.District}, not {DistrictId}");
        }

        var e = Feed.Record(line);
        var wakeChanged = owes ? state.State.Wake.TryAdd(line.Id, time.GetUtcNow()) : state.State.Wake.Remove(line.Id);

        if (e is not null || wakeChanged)
        {
            await Writes.Stored();
            await KeepReminder();
        }

        if (e is not null)
        {
            // One-way and after the write: a watcher never sees an event the queue could lose.
            _watchers.Notify(w => w.OnObservation(new ObservationNotice(e, view)).Ignore());
            GrainFactory.Reference<IDistrictGrain>(DistrictId).ObservationChanged([line]).Ignore();
        }

        return e?.Sequence ?? state.State.Sequence;
    }

    /// <summary>
    /// The district calls this as it activates, so it is also when the district's dashboards have lost
    /// the lines they show (memory only): they are sent again, whether the queue was active or not.
    /// </summary>
    public Task Resume()
    {
        var open = ObservationBoard.Kept(Feed.Queue);
        if (open.Count > 0)
        {
            GrainFactory.Reference<IDistrictGrain>(DistrictId).ObservationChanged(open).Ignore();
        }

        return Task.CompletedTask;
    }

    public async Task Forget(string observationId)
    {
        if (state.State.Wake.Remove(observationId))
        {
            await Writes.Stored();
        }
    }

    public Task<ObservationFeedStart> Watch(IObservationObserver observer, long afterSequence)
    {
        _watchers.Subscribe(observer, observer);
        return Task.FromResult(Feed.Start(afterSequence));
    }

    public Task Unwatch(IObservationObserver observer)
    {
        _watchers.Unsubscribe(observer);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> List(bool includeClosed) => Task.FromResult(Feed.List(includeClosed));

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != WakeReminder)
        {
            return;
        }

        if (state.State.Wake.Count > 0 || state.State.Days.Count > 0)
        {
            await WakeDue();
            await SweepDays();
        }
        else if ((_reminder ?? await this.GetReminder(WakeReminder)) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
            _reminder = null;
        }
    }

    private Task WakeDue() => Task.WhenAll(state.State.Wake.Keys.ToList().Select(WakeOne));

    /// <summary>
    /// Each day whose retention has ended: its observations not yet erased are woken to erase themselves
    /// (they leave the day when done); an empty day is dropped.
    /// </summary>
    private async Task SweepDays()
    {
        var retention = observationOptions.Value.RetainTextFor;
        var now = time.GetUtcNow();
        foreach (var day in state.State.Days.Where(d => new DateTimeOffset(d.AddDays(1), TimeOnly.MinValue, TimeSpan.Zero) + retention <= now).ToList())
        {
            var remaining = await GrainFactory.Reference<IObservationDayGrain>(ObservationDayGrain.Key(DistrictId, day)).Remaining();
            if (remaining.Count == 0)
            {
                state.State.Days.Remove(day);
                await Writes.Stored();
            }
            else
            {
                await Task.WhenAll(remaining.Select(WakeOne));
            }
        }
    }

    // One that cannot be woken now (reloading after a failed write, its silo going) is tried at the next tick: it must not fail the others, or this queue's activation.
    private async Task WakeOne(string observationId)
    {
        try
        {
            await GrainFactory.Reference<IObservationGrain>(observationId).Wake(DistrictId);
        }
        catch (Exception e) when (e is CoordinationException or OrleansException or TimeoutException)
        {
            logger.LogWarning(e, "Observation {Observation} could not be woken by its queue; the next tick tries again", observationId);
        }
    }

    /// <summary>
    /// The durable reminder is what brings back an observation lost with a failed silo halfway through
    /// (or due for erasure): registered when the first one is listed, removed by its own tick once none is.
    /// </summary>
    private async Task KeepReminder()
    {
        if ((state.State.Wake.Count > 0 || state.State.Days.Count > 0) && _reminder is null)
        {
            var every = offerOptions.Value.WakeIncidentsEvery;
            _reminder = await this.RegisterOrUpdateReminder(WakeReminder, every, every);
        }
    }
}
