using System.Collections.Concurrent;
using Coordination.Domain;
using Coordination.Silo.Grains;
using Coordination.Silo.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.TestingHost;

namespace Coordination.Tests;

/// <summary>
/// The roster of companies and the company's framework agreement keep memory and storage in step:
/// a write that storage refuses leaves nothing changed, in memory either, and the retry stores the
/// change. A company registered before the roster existed joins it when woken.
/// </summary>
public sealed class CompanyRosterTests(RefusingStorageCluster fixture) : IClassFixture<RefusingStorageCluster>
{
    private IGrainFactory Grains => fixture.Cluster.Client;

    private ICompanyRosterGrain Roster => Grains.GetGrain<ICompanyRosterGrain>(ICompanyRosterGrain.Key);

    [Fact]
    public async Task A_company_whose_enrolment_on_the_roster_is_not_stored_is_neither_listed_nor_registered_and_the_retry_registers_it()
    {
        var company = Ids.Company("roster");
        var grain = Grains.GetGrain<ICompanyGrain>(company);
        UnitRegistration[] units = [new("u1", 2, ["patrol"], "oslo", null)];

        using (fixture.Storage.Refuse("company-roster"))
        {
            await Assert.ThrowsAsync<OrleansException>(() => grain.RegisterUnits(null, units));

            Assert.DoesNotContain(company, await Roster.List(null, int.MaxValue));
            Assert.False((await grain.Get()).Registered);
        }

        await grain.RegisterUnits(null, units);

        Assert.Contains(company, await Roster.List(null, int.MaxValue));
        Assert.True((await grain.Get()).Registered);
    }

    [Fact]
    public async Task A_framework_agreement_that_is_not_stored_is_not_kept_and_the_retry_stores_it()
    {
        var company = Ids.Company("agreement");
        var grain = Grains.GetGrain<ICompanyGrain>(company);
        await grain.RegisterUnits(null, [new UnitRegistration("u1", 2, ["patrol"], "oslo", null)]);

        using (fixture.Storage.Refuse("company"))
        {
            await Assert.ThrowsAsync<OrleansException>(() => grain.SetFrameworkAgreement([Priority.Urgent]));

            Assert.Empty((await grain.Get()).FrameworkAgreements);
            Assert.False(await grain.CommitsAutomatically(Priority.Urgent));
        }

        await grain.SetFrameworkAgreement([Priority.Urgent]);

        Assert.Equal([Priority.Urgent], (await grain.Get()).FrameworkAgreements);
        Assert.Equal([Priority.Urgent], fixture.Storage.Stored<CompanyState>("company", GrainId.Create("company", company))?.FrameworkAgreements);
    }

    [Fact]
    public async Task A_company_registered_before_the_roster_existed_joins_it_when_woken()
    {
        var company = Ids.Company("before-roster");
        await fixture.Storage.WriteStateAsync("company", GrainId.Create("company", company), new GrainState<CompanyState>(new CompanyState
        {
            Registered = true,
            Name = "Old AS",
            Units = new(StringComparer.Ordinal) { ["u1"] = "vest" },
            Districts = new(StringComparer.Ordinal) { "vest" },
        }));
        Assert.DoesNotContain(company, await Roster.List(null, int.MaxValue));

        await Grains.GetGrain<ICompanyGrain>(company).Get();

        Assert.Contains(company, await Roster.List(null, int.MaxValue));
    }
}

/// <summary>A one-silo cluster whose grain storage (in memory) refuses the writes of a chosen state on demand.</summary>
public sealed class RefusingStorageCluster : IAsyncLifetime
{
    public InProcessTestCluster Cluster { get; private set; } = null!;

    public RefusingGrainStorage Storage => Cluster.GetSiloServiceProvider().GetRequiredService<RefusingGrainStorage>();

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            silo.Services.AddSingleton<RefusingGrainStorage>();
            silo.Services.AddKeyedSingleton<IGrainStorage>(StorageNames.Grains, (sp, _) => sp.GetRequiredService<RefusingGrainStorage>());
            silo.AddCoordinationGrains();
            silo.UseInMemoryReminderService();
        });
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }
}

/// <summary>Grain state kept as deep copies (so what is stored is what was written, not the grain's live object), with writes refused on demand.</summary>
public sealed class RefusingGrainStorage(DeepCopier copier) : IGrainStorage
{
    private readonly ConcurrentDictionary<(string State, GrainId Grain), (object? Value, string ETag)> _stored = new();
    private volatile string? _refused;

    /// <summary>Refuses every write of the named state until disposed.</summary>
    public IDisposable Refuse(string stateName)
    {
        _refused = stateName;
        return new Healed(this);
    }

    public T? Stored<T>(string stateName, GrainId grainId) =>
        _stored.TryGetValue((stateName, grainId), out var stored) ? copier.Copy((T?)stored.Value) : default;

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (_stored.TryGetValue((stateName, grainId), out var stored))
        {
            grainState.State = copier.Copy((T)stored.Value!);
            grainState.ETag = stored.ETag;
            grainState.RecordExists = true;
        }

        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (_refused == stateName)
        {
            throw new IOException($"the storage refused to write {stateName} of {grainId} (as the test asked)");
        }

        var etag = Guid.NewGuid().ToString("N");
        _stored[(stateName, grainId)] = (copier.Copy(grainState.State), etag);
        grainState.ETag = etag;
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        _stored.TryRemove((stateName, grainId), out _);
        grainState.ETag = null;
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }

    private sealed class Healed(RefusingGrainStorage storage) : IDisposable
    {
        public void Dispose() => storage._refused = null;
    }
}
