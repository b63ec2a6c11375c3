namespace Coordination.Tests.Infrastructure;

/// <summary>Fresh ids per test, so tests sharing a cluster never see each other's units.</summary>
public static class Ids
{
    public static string Company(string hint = "co") => $"{hint}-{Guid.NewGuid():N}"[..Math.Min(40, hint.Length + 33)];
}
