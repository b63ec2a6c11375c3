using Coordination.Domain;
using Coordination.Silo.Grains;

namespace Coordination.Tests;

/// <summary>The one lease every grain keeps gateways' observers under (offer watchers and dashboards alike), on the grain's clock.</summary>
public sealed class ObserverLeaseTests
{
    [Fact]
    public void A_watcher_that_stops_renewing_is_dropped_when_its_lease_lapses_and_one_that_renews_is_kept()
    {
        var clock = new ManualClock();
        var watchers = new DashboardWatchers(clock);
        var renewing = new RecordingObserver();
        var silent = new RecordingObserver();
        watchers.Watch(renewing);
        watchers.Watch(silent);

        clock.Advance(ObserverLease.Duration - ObserverLease.RenewEvery);
        watchers.Watch(renewing);
        clock.Advance(ObserverLease.RenewEvery * 2);
        watchers.Changed(new DashboardUpdate("", null));

        Assert.Single(renewing.Updates);
        Assert.Empty(silent.Updates);
    }

    [Fact]
    public void Gateways_renew_well_inside_the_lease() =>
        Assert.True(ObserverLease.RenewEvery * 3 <= ObserverLease.Duration, "several renewals in a row may fail before a lease lapses");

    private sealed class ManualClock : TimeProvider
    {
        private DateTimeOffset _now = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

        public override DateTimeOffset GetUtcNow() => _now;

        public void Advance(TimeSpan by) => _now += by;
    }

    private sealed class RecordingObserver : IDashboardObserver
    {
        public List<DashboardUpdate> Updates { get; } = [];

        public Task OnUpdate(DashboardUpdate update)
        {
            Updates.Add(update);
            return Task.CompletedTask;
        }
    }
}
