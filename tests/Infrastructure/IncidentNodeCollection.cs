namespace Coordination.Tests.Infrastructure;

/// <summary>The test classes that share one <see cref="IncidentNodeFixture"/>.</summary>
[CollectionDefinition(Name)]
public sealed class IncidentNodeCollection : ICollectionFixture<IncidentNodeFixture>
{
    public const string Name = "incident-node";
}
