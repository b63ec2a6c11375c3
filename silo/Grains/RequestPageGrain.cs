using Orleans.Concurrency;

namespace Coordination.Silo.Grains;

/// <summary>
/// A sealed page of an incident's archived requests (key: <c>incident/page</c>), so the incident's own
/// state holds only the requests still in play (<see cref="Decisions.RequestArchive"/>). Only the
/// incident calls it; its payload is the incident's own state type, so the interface lives in the silo.
/// </summary>
[Alias("coordination.IRequestPageGrain")]
public interface IRequestPageGrain : IGrainWithStringKey
{
    [Alias("Write")]
    Task Write(IReadOnlyList<CapacityRequestState> requests);

    [Alias("Read"), ReadOnly]
    Task<IReadOnlyList<CapacityRequestState>> Read();
}

[GenerateSerializer, Alias("coordination.RequestPageState")]
public sealed class RequestPageState
{
    [Id(0)] public List<CapacityRequestState> Requests { get; set; } = [];
}

/// <summary>
/// Written once when the incident's archive fills a page (again only if the incident stopped before
/// recording that it had sealed it), read when the incident is shown whole or a retry names an
/// archived request.
/// </summary>
internal sealed class RequestPageGrain(
    [PersistentState("requests", StorageNames.Grains)] IPersistentState<RequestPageState> state) : Grain, IRequestPageGrain
{
    public async Task Write(IReadOnlyList<CapacityRequestState> requests)
    {
        state.State.Requests = [.. requests];
        await state.WriteStateAsync();
    }

    public Task<IReadOnlyList<CapacityRequestState>> Read() => Task.FromResult<IReadOnlyList<CapacityRequestState>>(state.State.Requests);
}
