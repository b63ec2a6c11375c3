namespace Coordination.Silo.Persistence;

/// <summary>
/// The writes waiting for a group writer, in two lanes: commands' writes (someone is waiting for the
/// answer) and background writes (a unit's heartbeat flush, a flush on deactivation). A group takes
/// the commands first, so a burst of background writes — 50,000 units' heartbeats falling due
/// together — delays a command by at most one group instead of by the whole burst. A few places of
/// every group are kept for background writes while any wait, so they still drain under a steady
/// stream of commands.
/// </summary>
internal sealed class WriteLanes<T>
{
    private readonly Queue<T> _commands = new();
    private readonly Queue<T> _background = new();
    private readonly Lock _lock = new();

    // One permit per write added (a writer may find its write already taken by another: it waits again).
    private readonly SemaphoreSlim _added = new(0);
    private bool _completed;

    /// <summary>False once <see cref="Complete"/> was called: the silo is stopping.</summary>
    public bool TryAdd(T write, bool background)
    {
        lock (_lock)
        {
            if (_completed)
            {
                return false;
            }

            (background ? _background : _commands).Enqueue(write);
        }

        _added.Release();
        return true;
    }

    /// <summary>Waits until a write is waiting; false when the lanes are completed and drained.</summary>
    public async Task<bool> WaitAsync()
    {
        while (true)
        {
            await _added.WaitAsync();
            lock (_lock)
            {
                if (_commands.Count + _background.Count > 0)
                {
                    return true;
                }

                if (_completed)
                {
                    _added.Release(); // the other writers see it too
                    return false;
                }
            }
        }
    }

    /// <summary>Adds up to <paramref name="max"/> waiting writes to <paramref name="group"/>, commands first.</summary>
    public void TakeGroup(List<T> group, int max)
    {
        var before = group.Count;
        lock (_lock)
        {
            var forCommands = max - Math.Max(1, max / 8);
            while (group.Count < forCommands && _commands.TryDequeue(out var write))
            {
                group.Add(write);
            }

            while (group.Count < max && _background.TryDequeue(out var write))
            {
                group.Add(write);
            }

            // No background write was waiting: commands take the places kept for them.
            while (group.Count < max && _commands.TryDequeue(out var write))
            {
                group.Add(write);
            }
        }

        // The wait that led here took one permit; take the others' (one may not be released yet: a later empty wake-up).
        for (var taken = group.Count - before; taken > 1 && _added.Wait(0); taken--)
        {
        }
    }

    public void Complete()
    {
        lock (_lock)
        {
            _completed = true;
        }

        _added.Release();
    }
}

/// <summary>
/// Marks the grain state writes made inside <see cref="Run"/> as background writes (see
/// <see cref="WriteLanes{T}"/>). Ambient, because the write passes through Orleans' persistent state
/// on its way to the storage; the mark ends with <see cref="Run"/> (an async method's changes to an
/// async-local value do not flow back to its caller).
/// </summary>
internal static class BackgroundWrite
{
    private static readonly AsyncLocal<bool> Marked = new();

    public static bool IsCurrent => Marked.Value;

    public static async Task Run(Func<Task> write)
    {
        Marked.Value = true;
        await write();
    }
}
