namespace Coordination.Tests.Infrastructure;

/// <summary>
/// A node of its own for incident tests, so no other test's units receive their offers. Urgent
/// offers expire after two seconds here; high and routine ones keep their production deadlines.
/// </summary>
public sealed class IncidentNodeFixture : NodeFixture
{
    public static readonly TimeSpan UrgentDeadline = TimeSpan.FromSeconds(2);

    protected override string[] Settings => [$"--Coordination:Offers:UrgentDeadline={UrgentDeadline}"];
}
