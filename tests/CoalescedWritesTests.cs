using Coordination.Silo.Grains;

namespace Coordination.Tests;

/// <summary>Group commit inside a grain: callers share writes, and none returns before a write that began after its change.</summary>
public sealed class CoalescedWritesTests
{
    [Fact]
    public async Task Changes_made_while_a_write_is_in_flight_share_the_next_write_and_each_waits_for_a_write_that_began_after_it()
    {
        var writes = new List<TaskCompletionSource>();
        var coalesced = new CoalescedWrites(() =>
        {
            var write = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            writes.Add(write);
            return write.Task;
        });

        var first = coalesced.Stored();
        Assert.Single(writes);
        var during = Enumerable.Range(0, 10).Select(_ => coalesced.Stored()).ToList();

        // The first write completes: only the first caller is done; the others' changes came after it began.
        writes[0].SetResult();
        await first;
        await Eventually.Holds(() => Task.FromResult(writes.Count == 2));
        Assert.All(during, d => Assert.False(d.IsCompleted));

        // One more write stores all ten.
        writes[1].SetResult();
        await Task.WhenAll(during);
        Assert.Equal(2, writes.Count);
    }

    [Fact]
    public async Task A_failed_write_fails_every_caller_waiting_on_it()
    {
        var coalesced = new CoalescedWrites(() => Task.FromException(new InvalidOperationException("disk full")));
        var callers = Enumerable.Range(0, 3).Select(_ => coalesced.Stored()).ToList();
        foreach (var caller in callers)
        {
            await Assert.ThrowsAsync<InvalidOperationException>(() => caller);
        }
    }
}
