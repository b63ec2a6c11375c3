using Coordination.Silo.Grains;
using Coordination.Silo.Hosting;
using Coordination.Silo.Persistence;
using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;

namespace Coordination.Tests.Infrastructure;

/// <summary>
/// An in-process Orleans cluster of two silos sharing one real SQLite file, so grain placement
/// across silos and real persistence are both in play.
/// </summary>
public class ClusterFixture : IAsyncLifetime
{
    private readonly TempDirectory _data = new();

    protected virtual short Silos => 2;

    protected virtual TimeSpan StaleAfter => TimeSpan.FromMinutes(5);

    protected virtual TimeSpan HeartbeatFlushInterval => new UnitOptions().HeartbeatFlushInterval;

    protected virtual TimeSpan CommitmentCheckAfter => new UnitOptions().CommitmentCheckAfter;

    /// <summary>What a fixture of its own adds to every silo (a test filter, a messaging setting).</summary>
    protected virtual void ConfigureSilo(ISiloBuilder silo)
    {
    }

    /// <summary>Fails chosen storage writes on demand (nothing fails unless a test asks).</summary>
    public StorageFaults Faults { get; } = new();

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IGrainFactory Grains => Cluster.Client;

    public string DataDirectory => _data.Path;

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(Silos);
        var storage = new StorageOptions { DataDirectory = _data.Path };
        var (staleAfter, flushInterval, checkAfter) = (StaleAfter, HeartbeatFlushInterval, CommitmentCheckAfter);
        var faults = Faults;
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddSingleton(faults.Layer);
            silo.AddCoordinationStorage(storage);
            silo.AddCoordinationGrains();
            silo.AddCoordinationDirectory(GrainDirectoryKind.Consistent); // as a cluster runs: these clusters kill and add silos
            silo.UseInMemoryReminderService(); // as on a single node: districts keep a wake-up reminder while incidents are open
            silo.Services.Configure<UnitOptions>(o => (o.StaleAfter, o.HeartbeatFlushInterval, o.CommitmentCheckAfter) = (staleAfter, flushInterval, checkAfter));
            ConfigureSilo(silo);
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    /// <summary>What storage holds for a grain's state, read past every grain's memory.</summary>
    public async Task<T> Stored<T>(string stateName, string grainType, string key) where T : new()
    {
        var storage = Cluster.GetSiloServiceProvider().GetRequiredKeyedService<Orleans.Storage.IGrainStorage>(StorageNames.Grains);
        var state = new GrainState<T>(new T());
        await storage.ReadStateAsync(stateName, GrainId.Create(grainType, key), state);
        return state.State ?? throw new InvalidOperationException($"nothing stored for {grainType}/{key}");
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
        _data.Dispose();
    }
}
