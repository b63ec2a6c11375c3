namespace Coordination.Tests.Infrastructure;

/// <summary>A program the tests need: what it is, how to tell it is installed, and the Debian packages that bring it.</summary>
public sealed record Prerequisite(string Name, Func<bool> IsPresent, IReadOnlyList<string> Packages);
