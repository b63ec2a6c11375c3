namespace Coordination.Silo.Grains;

/// <summary>
/// The grains' tuning numbers, in one place. They are named constants rather than settings: each was
/// chosen with the grain's design and measured with the benchmarks (BENCHMARKS.md), and none is
/// something an operator should need to change per deployment. Where a grain uses one, its comment
/// there says what it bounds.
/// </summary>
internal static class GrainTuning
{
    /// <summary>How often a district's or an incident's dashboards may be told of a change: a burst costs them one picture.</summary>
    public static readonly TimeSpan DashboardInterval = TimeSpan.FromMilliseconds(50);

    /// <summary>How often the country's dashboards may be told of a change (districts report to it at most every <see cref="NationalReportInterval"/>).</summary>
    public static readonly TimeSpan NationalDashboardInterval = TimeSpan.FromMilliseconds(100);

    /// <summary>How often a district may report a change to the national view.</summary>
    public static readonly TimeSpan NationalReportInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>How often a district reports to the national view even without a change, so a lost one-way report heals.</summary>
    public static readonly TimeSpan NationalRefreshInterval = TimeSpan.FromSeconds(30);

    /// <summary>Units a district asks at once when it rebuilds its figures on activation.</summary>
    public const int RebuildParallelism = 256;

    /// <summary>Closed incidents a district lists (older ones stay readable by id).</summary>
    public const int ClosedIncidentsListed = 200;

    /// <summary>
    /// Candidate units a district lists for one request, nearest first. Every request ranks its
    /// district's units for this list, so its length is a cost per request (ranking 400 for a list of
    /// 200 was the largest item of a capacity request's profile); an offer is built from the list, and
    /// a request that needs more guards than one offer holds gets further offers.
    /// </summary>
    public const int MaxCandidates = 64;

    /// <summary>How long units handed to one request are held back from the next.</summary>
    public static readonly TimeSpan HoldUnitsFor = TimeSpan.FromSeconds(2);

    /// <summary>How long a unit lent to another district's request may take to reach the figures.</summary>
    public static readonly TimeSpan LendingSettles = TimeSpan.FromSeconds(10);

    /// <summary>Timeline events an incident keeps in its own state before sealing them into a page.</summary>
    public const int TimelinePageSize = 64;

    /// <summary>
    /// Settled requests an incident keeps in its own state before sealing them into a page. Each write
    /// of the incident carries the unsealed ones (a few hundred bytes each), and each page is one write
    /// more, once per this many settled requests.
    /// </summary>
    public const int RequestPageSize = 16;

    /// <summary>How soon an incident tries again to deliver an offer, finish a commitment or a release that did not go through.</summary>
    public static readonly TimeSpan OfferRetryDelay = TimeSpan.FromSeconds(5);

    /// <summary>Attempts a unit makes to record a report's start in the audit log, the pause growing by this step each time.</summary>
    public const int AuditAttempts = 3;

    public static readonly TimeSpan AuditRetryStep = TimeSpan.FromMilliseconds(100);

    /// <summary>How long the capacity warm-up at start keeps asking before the start fails.</summary>
    public static readonly TimeSpan WarmUpPatience = TimeSpan.FromMinutes(5);

    /// <summary>Events a company's bulletin feed holds for watchers that reconnect; further back, a watcher gets the outstanding list again.</summary>
    public const int BulletinFeedEventsHeld = 500;

    /// <summary>How soon a bulletin tries again to reach a company's feed, or its predecessor, after a failure.</summary>
    public static readonly TimeSpan BulletinRetryDelay = TimeSpan.FromSeconds(5);

    /// <summary>How far ahead a bulletin keeps a timer for its next moment; further off, its district's reminder wakes it.</summary>
    public static readonly TimeSpan BulletinTimerHorizon = TimeSpan.FromHours(1);

    /// <summary>Events a district's observation queue and a company's feedback feed hold for watchers that reconnect.</summary>
    public const int ObservationFeedEventsHeld = 500;

    /// <summary>Closed observations a district's queue lists (older ones stay readable by id).</summary>
    public const int ClosedObservationsListed = 200;

    /// <summary>Open observations a district's dashboards show (needing police now first, then the newest); the queue lists them all.</summary>
    public const int ObservationsOnBoard = 200;

    /// <summary>How soon an observation tries again to reach its queue, its company's feed or its incident after a failure.</summary>
    public static readonly TimeSpan ObservationRetryDelay = TimeSpan.FromSeconds(5);

    /// <summary>How far ahead an observation keeps a timer for its erasure; further off, its queue's reminder wakes it.</summary>
    public static readonly TimeSpan ObservationTimerHorizon = TimeSpan.FromHours(1);
}
