namespace Coordination.Tests.Infrastructure;

/// <summary>Waiting for what happens in the background (a timer, a stream, another process), with a bound.</summary>
public static class Eventually
{
    /// <summary>Polls until the condition holds or the bound passes; returns the last observation for the assertion message.</summary>
    public static async Task<bool> Holds(Func<Task<bool>> condition, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromSeconds(10));
        while (true)
        {
            if (await condition())
            {
                return true;
            }

            if (DateTime.UtcNow > deadline)
            {
                return false;
            }

            await Task.Delay(50);
        }
    }
}
