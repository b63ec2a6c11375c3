using Coordination.Domain;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace Coordination.Silo.Persistence;

/// <summary>
/// Whether this silo can write its database, as its own writes find out: a write refused because the
/// store is full or read-only (<see cref="StoreFault"/>) makes it unwritable, the next write that
/// succeeds makes it writable again. The gateway's health check reads it (through
/// <see cref="StorageHealthGrain"/>), so a load balancer stops sending commands while the disk is full.
/// <para>
/// Recovery needs a write that succeeds, and with health at NOT_SERVING no client may send one; so
/// while unwritable, a probe writes a tiny grain state of its own (through the same storage, the
/// same group writer) every <see cref="ProbeEvery"/>, and the first that lands brings health back,
/// with or without traffic. Nothing is probed while the store is writable.
/// </para>
/// </summary>
public sealed partial class StorageHealth(StorageOptions storage, IServiceProvider services, ILogger<StorageHealth> logger) : IDisposable
{
    /// <summary>How often a store known to be unwritable is tried again; well inside the 5 s in which writes must be seen to work.</summary>
    public static readonly TimeSpan ProbeEvery = TimeSpan.FromSeconds(1);

    private const string ProbeState = "storage-probe";

    /// <summary>The two stores, as messages name them.</summary>
    public const string GrainState = "the grain state store";

    public const string AuditLog = "the audit log";

    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();

    // Per store: on PostgreSQL an update that fits in its page can succeed while an append that needs a
    // new page fails, so the grain state may be writable while the audit log (append-only) is not.
    private readonly Dictionary<string, string> _problems = [];
    private string? _problem;
    private Task? _probe;

    /// <summary>Where the stores live, for messages: the SQLite file's folder (the disk to free) or the PostgreSQL database.</summary>
    public string Location { get; } = storage.Provider == StorageProvider.PostgreSql
        ? Postgres(storage.PostgresConnectionString)
        : $"the SQLite file's folder {Path.GetDirectoryName(storage.SqliteFile)}";

    /// <summary>Null while the stores can be written; otherwise what the last refused write said.</summary>
    public string? Problem => Volatile.Read(ref _problem);

    /// <summary>
    /// The refusal for a failed write of <paramref name="store"/> when the store cannot take writes
    /// (health turns NOT_SERVING until a write succeeds), or null when <paramref name="failure"/> is
    /// some other fault, for the caller's own translation.
    /// </summary>
    public CoordinationException? Refusal(Exception failure, string store, string what)
    {
        if (StoreFault.Classify(failure) is not { } reason)
        {
            return null;
        }

        var condition = StoreFault.Describe(reason);
        var message = $"{store} cannot be written: {Location} {condition}; nothing was kept. {Action(reason)}, then retry with the same id ({what})";
        lock (_lock)
        {
            if (!_problems.ContainsKey(store))
            {
                LogUnwritable(store, Location, condition, failure.Message.ReplaceLineEndings(" "));
            }

            _problems[store] = $"{store} cannot be written: {Location} {condition}";
            _problem = string.Join("; ", _problems.Values);
            _probe ??= Task.Run(ProbeUntilWritten);
        }

        return new CoordinationException(ErrorKind.Unavailable, message, reason, new Dictionary<string, string>
        {
            ["store"] = store,
            ["location"] = Location,
        });
    }

    /// <summary>
    /// A write to <paramref name="store"/> landed: it takes writes again. On SQLite both stores are one
    /// file and one write-ahead log, so any commit proves the file can grow, for both.
    /// </summary>
    public void Written(string store)
    {
        if (Volatile.Read(ref _problem) is null)
        {
            return;
        }

        lock (_lock)
        {
            var cleared = storage.Provider == StorageProvider.Sqlite ? _problems.Keys.ToList() : [store];
            foreach (var writable in cleared.Where(_problems.Remove))
            {
                LogWritable(writable, Location);
            }

            _problem = _problems.Count == 0 ? null : string.Join("; ", _problems.Values);
        }
    }

    private bool Unwritable(string store)
    {
        lock (_lock)
        {
            return _problems.ContainsKey(store);
        }
    }

    // Cancelled, not disposed: a refusal during shutdown may still start a probe, which then ends at once.
    public void Dispose() => _stopping.Cancel();

    private async Task ProbeUntilWritten()
    {
        var token = _stopping.Token;
        try
        {
            // The grain storage by its name, as the grains reach it (resolved late: it is built after this).
            var grains = services.GetRequiredKeyedService<IGrainStorage>(Grains.StorageNames.Grains);
            // One row per silo endpoint: stable across restarts, and never written by two silos at once.
            var id = GrainId.Create(ProbeState, services.GetRequiredService<ILocalSiloDetails>().SiloAddress.Endpoint.ToString());
            var state = new GrainState<long>();
            var read = false;
            while (!token.IsCancellationRequested && Problem is not null)
            {
                await Task.Delay(ProbeEvery, token);
                try
                {
                    if (!read)
                    {
                        await grains.ReadStateAsync(ProbeState, id, state);
                        read = true;
                    }

                    state.State = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
                    await grains.WriteStateAsync(ProbeState, id, state);
                    Written(GrainState);

                    // The chain cannot take a probe row; PostgreSQL's store tries one and rolls it back.
                    if (Unwritable(AuditLog) && services.GetService<Audit.IAuditStore>() is Audit.PostgresAuditStore audit)
                    {
                        await audit.ProbeAsync();
                        Written(AuditLog);
                    }
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    // Still unwritable, or its version moved (read it again next time): keep trying.
                    read = false;
                }
            }
        }
        catch (OperationCanceledException)
        {
            // The silo is stopping.
        }
        finally
        {
            lock (_lock)
            {
                _probe = null;

                // A refusal between the last probe and this line found a probe still running and started none.
                if (_problem is not null && !token.IsCancellationRequested)
                {
                    _probe = Task.Run(ProbeUntilWritten);
                }
            }
        }
    }

    private static string Action(string reason) => reason switch
    {
        CoordinationException.StorageFull => "Free space there",
        CoordinationException.StorageReadOnly => "Make it writable",
        _ => "Give the database more resources",
    };

    private static string Postgres(string connectionString)
    {
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        return $"the PostgreSQL database {builder.Database} on {builder.Host}:{builder.Port}";
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "{Store} cannot be written: {Location} {Condition} ({Cause}). Health is NOT_SERVING until a write succeeds; writes are retried every second")]
    private partial void LogUnwritable(string store, string location, string condition, string cause);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Writes to {Store} in {Location} succeed again")]
    private partial void LogWritable(string store, string location);
}
