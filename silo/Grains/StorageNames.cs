namespace Coordination.Silo.Grains;

internal static class StorageNames
{
    /// <summary>The one grain storage provider every grain writes to (SQLite file or PostgreSQL).</summary>
    public const string Grains = "grains";
}
