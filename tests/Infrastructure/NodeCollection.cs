namespace Coordination.Tests.Infrastructure;

/// <summary>The test classes that share one <see cref="NodeFixture"/> (xunit runs them one after another).</summary>
[CollectionDefinition(Name)]
public sealed class NodeCollection : ICollectionFixture<NodeFixture>
{
    public const string Name = "node";
}
