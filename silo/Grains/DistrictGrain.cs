using Coordination.Domain;
using Microsoft.Extensions.Logging;

namespace Coordination.Silo.Grains;

[GenerateSerializer, Alias("coordination.DistrictState")]
public sealed class DistrictState
{
    /// <summary>Companies with units homed here: enough to find every unit again after a restart.</summary>
    [Id(0)] public HashSet<string> Companies { get; set; } = new(StringComparer.Ordinal);
}

/// <summary>
/// A police district's live capacity. The figures live in memory only: they are derived data, and
/// on activation the district rebuilds them from its units, which hold the truth. Only the list of
/// companies with units here is stored, and it changes rarely.
/// </summary>
internal sealed class DistrictGrain(
    [PersistentState("district", StorageNames.Grains)] IPersistentState<DistrictState> state,
    TimeProvider time,
    ILogger<DistrictGrain> logger) : Grain, IDistrictGrain
{
    // The national view is told at most this often, so a burst of status changes costs it one message.
    private static readonly TimeSpan NationalReportInterval = TimeSpan.FromMilliseconds(250);

    // ...and at least this often, so a lost one-way report heals on its own.
    private static readonly TimeSpan NationalRefreshInterval = TimeSpan.FromSeconds(30);

    private const int RebuildParallelism = 256;

    private readonly CapacityTally _tally = new();
    private bool _changedSinceReport = true;
    private DateTimeOffset _lastReport = DateTimeOffset.MinValue;

    private string DistrictId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var units = 0;
        foreach (var companyId in state.State.Companies)
        {
            var keys = await GrainFactory.GetGrain<ICompanyGrain>(companyId).UnitKeysIn(DistrictId);
            foreach (var chunk in keys.Chunk(RebuildParallelism))
            {
                var contributions = await Task.WhenAll(chunk.Select(k => GrainFactory.GetGrain<IGuardUnitGrain>(k).GetContribution()));
                foreach (var contribution in contributions)
                {
                    if (contribution is not null && _tally.Apply(contribution))
                    {
                        units++;
                    }
                }
            }
        }

        if (units > 0)
        {
            logger.LogInformation("District {District} rebuilt its figures from {Units} units in {Elapsed}", DistrictId, units, time.GetElapsedTime(started));
        }

        this.RegisterGrainTimer(ReportToNation, new GrainTimerCreationOptions(TimeSpan.Zero, NationalReportInterval) { KeepAlive = true });
    }

    public async Task EnrollCompany(string companyId)
    {
        if (state.State.Companies.Add(companyId))
        {
            await state.WriteStateAsync();
        }
    }

    public Task Apply(UnitContribution contribution)
    {
        _changedSinceReport |= _tally.Apply(contribution);
        return Task.CompletedTask;
    }

    public Task<CapacityFigures> GetCapacity() => Task.FromResult(_tally.Figures(DistrictId, time.GetUtcNow()));

    private Task ReportToNation(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_changedSinceReport || now - _lastReport >= NationalRefreshInterval)
        {
            _changedSinceReport = false;
            _lastReport = now;
            return GrainFactory.GetGrain<INationalGrain>(INationalGrain.Key).Report(_tally.Figures(DistrictId, now));
        }

        return Task.CompletedTask;
    }
}
