using Microsoft.Extensions.Logging;

namespace Coordination.Silo.Grains;

/// <summary>
/// The one timer of a grain that finishes what it owes by itself (a bulletin, an observation): armed for
/// the grain's next moment when that is within <c>horizon</c>, dropped otherwise, so an idle grain can be
/// deactivated and is woken by whoever lists it (its district, its queue or day). A failed attempt is
/// logged; the grain's finish re-arms the retry itself before it fails.
/// </summary>
internal sealed partial class FinishTimer(IGrainBase grain, Func<Task> finish, ILogger logger, string name)
{
    private IGrainTimer? _timer;

    /// <summary>Runs the finish as soon as the grain is free.</summary>
    public void Now() => _timer = grain.Arm(_timer, OnTimer, TimeSpan.Zero);

    /// <summary>Arms for <paramref name="due"/> if it is within <paramref name="horizon"/> of <paramref name="now"/>; else lets the activation go.</summary>
    public void At(DateTimeOffset? due, DateTimeOffset now, TimeSpan horizon)
    {
        if (due is { } at && at - now <= horizon)
        {
            _timer = grain.Arm(_timer, OnTimer, at > now ? at - now : TimeSpan.Zero);
        }
        else
        {
            _timer?.Dispose();
            _timer = null;
        }
    }

    private async Task OnTimer(CancellationToken cancellationToken)
    {
        try
        {
            await finish();
        }
        catch (Exception e) when (e is Domain.CoordinationException or OrleansException or TimeoutException)
        {
            // The finish armed its retry already; a storage fault here is the storage's to report.
            LogFinishFailed(e, name);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Grain} could not finish what it owes; it tries again")]
    private partial void LogFinishFailed(Exception exception, string grain);
}
