using Coordination.Domain;
using Coordination.Silo.Audit;
using Coordination.Silo.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Coordination.Tests;

/// <summary>
/// The SQLite audit store takes a batch before the one before it is durable (the audit grain hands
/// them over without waiting): they land in call order, and a batch chained on one that did not
/// land does not land either, so the chain never has a hole.
/// </summary>
public sealed class AuditPipelineTests : IAsyncLifetime
{
    private readonly TempDirectory _data = new();
    private StorageOptions _options = null!;
    private SqliteCommitter _committer = null!;
    private SqliteAuditStore _store = null!;

    public Task InitializeAsync()
    {
        _options = new StorageOptions { DataDirectory = _data.Path };
        SqliteSchema.Apply(_options, NullLogger.Instance);
        _committer = new SqliteCommitter(_options, NullLogger<SqliteCommitter>.Instance);
        _store = new SqliteAuditStore(_options, _committer);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task Batches_handed_over_without_waiting_land_in_call_order_and_form_one_chain()
    {
        var chain = Chain(1, 30);
        var writes = chain.Chunk(3).Select(batch => _store.AppendAsync(batch)).ToList();
        await Task.WhenAll(writes);

        var stored = await _store.ReadAsync(null, null, null, 0, 100);
        Assert.Equal(chain.Select(e => e.Sequence), stored.Select(e => e.Sequence));
        Assert.Null(AuditChain.FirstBrokenLink(stored));
    }

    [Fact]
    public async Task A_batch_chained_on_one_that_failed_is_refused_and_adds_nothing()
    {
        var chain = Chain(1, 6);
        await _store.AppendAsync(chain[..2]);

        // The second batch cannot be stored (a column the table requires is missing); the third, handed
        // over before the second's outcome was known, is chained on it.
        var broken = chain[2] with { Subject = null! };
        var second = _store.AppendAsync([broken, chain[3]]);
        var third = _store.AppendAsync(chain[4..]);

        await Assert.ThrowsAnyAsync<SqliteException>(() => second);
        var refused = await Assert.ThrowsAsync<CoordinationException>(() => third);
        Assert.Equal(ErrorKind.Unavailable, refused.Code);
        Assert.Contains("ends at 2", refused.Message, StringComparison.Ordinal);

        var stored = await _store.ReadAsync(null, null, null, 0, 100);
        Assert.Equal([1L, 2L], stored.Select(e => e.Sequence));

        // Chained on what is in the log, the same records land.
        await _store.AppendAsync(chain[2..]);
        Assert.Null(AuditChain.FirstBrokenLink(await _store.ReadAsync(null, null, null, 0, 100)));
    }

    public async Task DisposeAsync()
    {
        await _committer.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _data.Dispose();
    }

    private static AuditEntry[] Chain(long first, int count)
    {
        var entries = new List<AuditEntry>();
        var previous = AuditChain.Genesis;
        for (var sequence = first; sequence < first + count; sequence++)
        {
            var entry = AuditChain.Seal(new AuditEntry(sequence, DateTimeOffset.UnixEpoch.AddSeconds(sequence), "police-1", "police", "oslo", "OpenIncident", $"r{sequence}", null, "OK", null, previous, ""));
            entries.Add(entry);
            previous = entry.Hash;
        }

        return [.. entries];
    }
}
