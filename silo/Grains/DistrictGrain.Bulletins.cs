using Coordination.Domain;
using Coordination.Silo.Grains.Decisions;

namespace Coordination.Silo.Grains;

/// <summary>
/// The district's bulletins (<see cref="BulletinBoard"/>): the list of those issued here, their board
/// lines for dashboards, and finding the companies with units in a bulletin's area. The wake reminder
/// of <c>.Incidents</c> also wakes bulletins that are outstanding or due for erasure.
/// </summary>
internal sealed partial class DistrictGrain
{
    private BulletinBoard? _bulletins;

    private BulletinBoard Bulletins => _bulletins ??= new(state.State);

    public Task<AreaSearch> CompaniesInArea(BulletinArea area, string? capability, bool onDutyOnly) => Task.FromResult(new AreaSearch(
        BulletinBoard.CompaniesInArea(_tally.Units, DistrictId, area, capability, onDutyOnly),
        BulletinBoard.CompaniesInArea(_tally.Units, DistrictId, area, null, false).Length > 0));

    public async Task BulletinRecorded(string bulletinId, bool outstanding, DateTimeOffset? wakeAt)
    {
        if (BulletinIds.District(bulletinId) != DistrictId)
        {
            throw CoordinationException.Invalid("bulletin_id", $"'{bulletinId}' is not a bulletin of {DistrictId}");
        }

        if (Bulletins.Recorded(bulletinId, outstanding, wakeAt))
        {
            await state.WriteStateAsync();
            BoardChanged();
            await KeepWakeReminder();
        }
    }

    public Task BulletinChanged(BulletinSummary summary)
    {
        if (Bulletins.Show(summary))
        {
            BoardChanged();
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<string>> ListBulletins(bool includeEnded) => Task.FromResult(Bulletins.List(includeEnded));

    private Task WakeBulletins() =>
        Task.WhenAll(Bulletins.Due(time.GetUtcNow()).Select(b => GrainFactory.Reference<IBulletinGrain>(b).Wake()));
}
