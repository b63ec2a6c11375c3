using System.Threading.RateLimiting;
using Coordination.Domain;
using Microsoft.Extensions.Options;

namespace Coordination.Gateway.Security;

/// <summary>
/// A token bucket per caller identity (the company for company systems, the subject otherwise), so
/// one flooding caller is refused while everyone else carries on. A call takes what its RPC declares
/// it costs (see <see cref="RpcRules"/>), one token unless it says more.
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

    public void Take(Caller caller, int cost = 1)
    {
        // A call dearer than the whole bucket could never be admitted: it takes the whole bucket instead.
        using var lease = _limiter.AttemptAcquire(caller.Actor, Math.Clamp(cost, 1, _limits.Burst));
        if (!lease.IsAcquired)
        {
            throw new CoordinationException(ErrorKind.ResourceExhausted,
                $"{caller.Actor} is over its limit of {_limits.RequestsPerSecond} calls per second (burst {_limits.Burst}); slow down and retry");
        }
    }

    public void Dispose() => _limiter.Dispose();
}
