using Coordination.Domain;

namespace Coordination.Gateway.Services;

/// <summary>
/// The gateway's side of an <see cref="ObserverLease"/>: renews an observer with its grain every
/// <see cref="ObserverLease.RenewEvery"/> until stopped. A failed renewal is reported and tried
/// again at the next tick; the lease outlasts several of them.
/// </summary>
internal static class LeaseRenewal
{
    public static async Task KeepAsync(Func<Task> renew, Action<Exception> failed, CancellationToken stop)
    {
        using var timer = new PeriodicTimer(ObserverLease.RenewEvery);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                try
                {
                    await renew();
                }
                catch (Exception e) when (!stop.IsCancellationRequested)
                {
                    failed(e);
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
