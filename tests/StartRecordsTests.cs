using System.Reflection;
using Coordination.Domain;
using Coordination.Silo.Audit;

namespace Coordination.Tests;

/// <summary>
/// The silo's writer of start records, without a cluster: records that wait while appends are on their
/// way go together in the next one, each caller hears only once its record is durable, and a failure
/// reaches every caller of its batch as the project's own error.
/// </summary>
public sealed class StartRecordsTests
{
    // Far above what any step takes, so a broken writer fails the test rather than hanging the run.
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);

    private static AuditRecord Record(string call) =>
        new(DateTimeOffset.UtcNow, "police:oslo", "police", "district:oslo", "RequestCapacity", call, "i1", "Started", null, call);

    [Fact]
    public async Task Records_that_wait_while_two_appends_are_on_their_way_go_together_in_the_next_and_each_caller_hears_when_its_own_is_durable()
    {
        var log = new GatedLog();
        var records = new StartRecords(Factory.For(log));

        var a = records.Append(Record("a"), "a");
        var b = records.Append(Record("b"), "b");
        Assert.True(await log.Calls(2), "the first two records were not sent at once");
        var c = records.Append(Record("c"), "c");
        var d = records.Append(Record("d"), "d");

        // Two appends on their way (in either order: each is sent from the thread pool): c and d wait,
        // and nobody has heard yet.
        await Task.Delay(100);
        Assert.Equal(2, log.Batches.Count);
        Assert.False(a.IsCompleted || b.IsCompleted || c.IsCompleted || d.IsCompleted);

        log.Finish(log.CallWith("a"));
        await a.WaitAsync(Bound);
        Assert.True(await log.Calls(3), "the waiting records were not sent when an append finished");
        Assert.Equal(["c", "d"], log.Batches[2].Select(r => r.Call));
        Assert.False(b.IsCompleted || c.IsCompleted);

        log.FinishAll();
        await Task.WhenAll(b, c, d).WaitAsync(Bound);
        Assert.Equal(3, log.Batches.Count);
    }

    [Fact]
    public async Task A_log_that_keeps_failing_refuses_every_record_of_the_batch_as_unavailable_and_its_own_refusals_pass_as_they_are()
    {
        var failing = new GatedLog { Failure = new TimeoutException("the audit grain did not answer") };
        var records = new StartRecords(Factory.For(failing));
        var first = records.Append(Record("a"), "this command");
        var second = records.Append(Record("b"), "this report");
        Assert.True(await failing.Calls(2), "the records were not sent");

        failing.FinishAll();
        var error = await Assert.ThrowsAsync<CoordinationException>(() => first.WaitAsync(Bound));
        Assert.Equal(ErrorKind.Unavailable, error.Code);
        Assert.Contains("this command's start", error.Message);
        Assert.Equal(ErrorKind.Unavailable, (await Assert.ThrowsAsync<CoordinationException>(() => second.WaitAsync(Bound))).Code);

        // Tried again briefly before giving up (the audit grain reactivating refuses calls for a moment).
        Assert.True(failing.Batches.Count(batch => batch.Any(r => r.Call == "a")) > 1, "a failing append was not tried again");

        var full = new GatedLog { Failure = new CoordinationException(ErrorKind.Unavailable, "the audit store is full", "STORE_FULL", new Dictionary<string, string>()) };
        var refused = new StartRecords(Factory.For(full)).Append(Record("c"), "this command");
        full.FinishAll();
        var refusal = await Assert.ThrowsAsync<CoordinationException>(() => refused.WaitAsync(Bound));
        Assert.Equal("the audit store is full", refusal.Message);
        Assert.Equal("STORE_FULL", refusal.Reason);
        Assert.Single(full.Batches);
    }

    /// <summary>An audit log whose appends wait until the test lets each finish, then succeed or fail.</summary>
    private sealed class GatedLog : IAuditLogGrain
    {
        private readonly List<TaskCompletionSource> _gates = [];
        private bool _open;

        public List<IReadOnlyList<AuditRecord>> Batches { get; } = [];

        public Exception? Failure { get; init; }

        public async Task<long> Append(IReadOnlyList<AuditRecord> records)
        {
            TaskCompletionSource gate;
            lock (_gates)
            {
                Batches.Add(records);
                gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _gates.Add(gate);
                if (_open)
                {
                    gate.SetResult();
                }
            }

            await gate.Task;
            return Failure is { } failure ? throw failure : Batches.Count;
        }

        /// <summary>Which call carried the record.</summary>
        public int CallWith(string call)
        {
            lock (_gates)
            {
                return Batches.FindIndex(batch => batch.Any(r => r.Call == call));
            }
        }

        public void Finish(int call)
        {
            lock (_gates)
            {
                _gates[call].TrySetResult();
            }
        }

        public void FinishAll()
        {
            lock (_gates)
            {
                _open = true;
                _gates.ForEach(g => g.TrySetResult());
            }
        }

        public async Task<bool> Calls(int count)
        {
            for (var i = 0; i < 1_000 && Batches.Count < count; i++)
            {
                await Task.Delay(10);
            }

            return Batches.Count >= count;
        }

        public Task<IReadOnlyList<AuditEntry>> Read(string? incidentId, DateTimeOffset? from, DateTimeOffset? to, long afterSequence, int limit) =>
            throw new NotSupportedException();
    }

    /// <summary>A grain factory that hands out the one log for any grain asked for.</summary>
    public class Factory : DispatchProxy
    {
        private object? _log;

        internal static IGrainFactory For(IAuditLogGrain log)
        {
            var factory = Create<IGrainFactory, Factory>();
            ((Factory)(object)factory)._log = log;
            return factory;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args) =>
            targetMethod?.Name == nameof(IGrainFactory.GetGrain) ? _log : throw new NotSupportedException(targetMethod?.Name);
    }
}
