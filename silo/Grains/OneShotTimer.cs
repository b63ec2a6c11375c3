namespace Coordination.Silo.Grains;

/// <summary>
/// A grain's one-shot timer for its next deadline: registered the first time, moved after that, so a
/// grain keeps one timer however often its deadline changes. It keeps the activation alive while armed.
/// </summary>
internal static class OneShotTimer
{
    /// <summary>
    /// Arms <paramref name="timer"/> (or a new one, when null) to fire once after <paramref name="due"/>; returns the timer to keep.
    /// An <paramref name="interleave"/>d callback lets the grain's calls run while it waits: for a callback that
    /// awaits a grain which may itself be waiting on this one.
    /// </summary>
    public static IGrainTimer Arm(this IGrainBase grain, IGrainTimer? timer, Func<CancellationToken, Task> callback, TimeSpan due, bool interleave = false)
    {
        if (timer is null)
        {
            return grain.RegisterGrainTimer(callback, new GrainTimerCreationOptions(due, Timeout.InfiniteTimeSpan) { KeepAlive = true, Interleave = interleave });
        }

        timer.Change(due, Timeout.InfiniteTimeSpan);
        return timer;
    }
}
