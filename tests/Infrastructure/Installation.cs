namespace Coordination.Tests.Infrastructure;

/// <summary>What an install attempt did, for the failure message.</summary>
public sealed record Installation(bool Succeeded, string Outcome);
