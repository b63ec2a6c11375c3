namespace Coordination.Tests.Infrastructure;

/// <summary>
/// One running node shared by the tests of a collection or class, in a data folder of its own; each
/// test uses its own company ids. Derived fixtures give a node of their own, with their own settings.
/// </summary>
public class NodeFixture : IAsyncLifetime
{
    private readonly TempDirectory _data = new();

    public RunningNode Node { get; private set; } = null!;

    /// <summary>Extra command-line settings for this node.</summary>
    protected virtual string[] Settings => [];

    public async Task InitializeAsync() => Node = await RunningNode.StartAsync(_data.Path, Settings);

    public async Task DisposeAsync()
    {
        await Node.DisposeAsync();
        _data.Dispose();
    }
}
