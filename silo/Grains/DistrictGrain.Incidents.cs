using Coordination.Domain;
using Coordination.Silo.Grains.Decisions;

namespace Coordination.Silo.Grains;

/// <summary>
/// The district's incidents: the list of open and recently closed ones (stored) with each open
/// incident's board line (<see cref="IncidentBoard"/>), and the durable reminder that wakes open
/// incidents so their deadlines run again after a silo is lost.
/// </summary>
internal sealed partial class DistrictGrain
{
    private const string WakeReminder = "wake-open-incidents";

    // Made on first use: it needs the district's identity and the state read at activation, which
    // field initializers cannot reach.
    private IncidentBoard? _incidents;
    private IGrainReminder? _wakeReminder;

    private IncidentBoard Incidents => _incidents ??= new(DistrictId, state.State);

    public async Task IncidentOpened(string incidentId)
    {
        if (Incidents.Opened(incidentId))
        {
            await state.WriteStateAsync();
            await KeepWakeReminder();
        }
    }

    public async Task IncidentClosed(string incidentId)
    {
        var (lineRemoved, stored) = Incidents.Closed(incidentId);
        if (lineRemoved)
        {
            BoardChanged();
        }

        if (stored)
        {
            await state.WriteStateAsync();
        }
    }

    public Task<IReadOnlyList<string>> ListIncidents(bool includeClosed) => Task.FromResult(Incidents.List(includeClosed));

    public Task IncidentChanged(IncidentSummary summary)
    {
        if (Incidents.Show(summary))
        {
            BoardChanged();
        }

        return Task.CompletedTask;
    }

    private void BoardChanged()
    {
        _changedSinceNotify = true;
        _changedSinceReport = true;
    }

    private async Task WakeOpenIncidents()
    {
        foreach (var incident in Incidents.Open.ToArray())
        {
            await GrainFactory.Reference<IIncidentGrain>(incident).Wake();
        }
    }

    /// <summary>
    /// While incidents are open (or bulletins outstanding or awaiting erasure), a durable reminder wakes them periodically (see OfferOptions.WakeIncidentsEvery);
    /// it is the one thing that brings back an incident, and its deadlines, lost with a failed silo.
    /// It is registered when the first incident opens and removed by its own tick once none is open,
    /// so incidents opening and closing in quick succession cost nothing extra.
    /// </summary>
    private async Task KeepWakeReminder()
    {
        if ((Incidents.Open.Count > 0 || Bulletins.NeedWaking) && _wakeReminder is null)
        {
            var every = offerOptions.Value.WakeIncidentsEvery;
            _wakeReminder = await this.RegisterOrUpdateReminder(WakeReminder, every, every);
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName != WakeReminder)
        {
            return;
        }

        if (Incidents.Open.Count > 0 || Bulletins.NeedWaking)
        {
            await WakeOpenIncidents();
            await WakeBulletins();
        }
        else if ((_wakeReminder ?? await this.GetReminder(WakeReminder)) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
            _wakeReminder = null;
        }
    }
}
