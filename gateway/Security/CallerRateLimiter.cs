using System.Threading.RateLimiting;
using Coordination.Domain;
using Microsoft.Extensions.Options;

namespace Coordination.Gateway.Security;

/// <summary>
/// A token bucket per caller identity (the company for company systems, the subject otherwise), so
/// one flooding caller is refused while everyone else carries on.
/// </summary>
internal sealed class CallerRateLimiter(IOptions<LimitsOptions> options) : IDisposable
{
    private readonly LimitsOptions _limits = options.Value;

    private readonly PartitionedRateLimiter<string> _limiter = PartitionedRateLimiter.Create<string, string>(key =>
        RateLimitPartition.GetTokenBucketLimiter(key, _ => new TokenBucketRateLimiterOptions
        {
            TokenLimit = options.Value.Burst,
            TokensPerPeriod = Math.Max(1, options.Value.RequestsPerSecond / 10),
            ReplenishmentPeriod = TimeSpan.FromMilliseconds(100),
            QueueLimit = 0,
            AutoReplenishment = true,
        }));

    public void Take(Caller caller)
    {
        using var lease = _limiter.AttemptAcquire(caller.Actor);
        if (!lease.IsAcquired)
        {
            throw new CoordinationException(ErrorKind.ResourceExhausted,
                $"{caller.Actor} is over its limit of {_limits.RequestsPerSecond} calls per second (burst {_limits.Burst}); slow down and retry");
        }
    }

    public void Dispose() => _limiter.Dispose();
}
