namespace Coordination.Domain;

/// <summary>
/// One bulletin (key: <see cref="BulletinIds.Of"/>): its recipients, their deliveries and
/// acknowledgements, its deadline and its end. "Every recipient is told, once, and the police see
/// who acknowledged" lives here. Issuing is idempotent: a retry with the same id returns the first result.
/// </summary>
[Alias("coordination.IBulletinGrain")]
public interface IBulletinGrain : IGrainWithStringKey
{
    [Alias("Issue")]
    Task<BulletinView> Issue(IssueBulletin command);

    /// <summary>The bulletin as the calling gateway's caller may see it (PERMISSION_DENIED where its level does not reach them).</summary>
    [Alias("Get")]
    Task<BulletinView> Get();

    [Alias("Acknowledge")]
    Task<BulletinView> Acknowledge(string companyId, Acknowledgement acknowledgement);

    /// <summary>
    /// A later bulletin of the chain takes over (update) or ends it (cancel, all clear): refused
    /// (FAILED_PRECONDITION) when the chain has already moved on; repeating the same successor is a
    /// no-op. Returns this bulletin as it now is, for the successor's chain and recipients.
    /// </summary>
    [Alias("Supersede")]
    Task<BulletinView> Supersede(string successorId, BulletinMessage message);

    /// <summary>
    /// The read the successor makes before it stores itself (no access check: grain to grain).
    /// Interleaves: two bulletins issued at once that reference each other must not wait on each other.
    /// </summary>
    [Alias("Peek"), ReadOnly, AlwaysInterleave]
    Task<BulletinView?> Peek();

    /// <summary>Woken by its district after a restart: re-arms deadlines and finishes deliveries, or erases its text when due.</summary>
    [Alias("Wake"), AlwaysInterleave]
    Task Wake();
}

/// <summary>
/// A company's bulletin feed (key: company id): the bulletins outstanding for it and a numbered list
/// of recent events, so a watcher that reconnects goes on without repeats.
/// </summary>
[Alias("coordination.ICompanyBulletinsGrain")]
public interface ICompanyBulletinsGrain : IGrainWithStringKey
{
    /// <summary>Records an event for a bulletin (once: a repeat returns the first sequence) and tells the watchers.</summary>
    [Alias("Record")]
    Task<long> Record(BulletinDelivery delivery, BulletinView companyView);

    /// <summary>Starts (or renews) a watcher; returns what it should be sent first.</summary>
    [Alias("Watch")]
    Task<BulletinFeedStart> Watch(IBulletinObserver observer, long afterSequence);

    [Alias("Unwatch")]
    Task Unwatch(IBulletinObserver observer);

    /// <summary>The ids of the bulletins outstanding for the company, oldest first.</summary>
    [Alias("Outstanding"), ReadOnly]
    Task<IReadOnlyList<string>> Outstanding();
}

[Alias("coordination.IBulletinObserver")]
public interface IBulletinObserver : IGrainObserver
{
    [Alias("OnBulletin"), OneWay]
    Task OnBulletin(BulletinNotice notice);
}
