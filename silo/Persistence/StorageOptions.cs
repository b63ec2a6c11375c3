namespace Coordination.Silo.Persistence;

public enum StorageProvider
{
    Sqlite = 1,
}

/// <summary>Configuration section <c>Coordination:Storage</c>.</summary>
public sealed class StorageOptions
{
    public const string Section = "Coordination:Storage";

    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>Folder of the SQLite database file; created when missing. Relative paths are taken from the working directory.</summary>
    public string DataDirectory { get; set; } = "data";

    public const string SqliteFileName = "coordination.db";

    public string SqliteFile => Path.GetFullPath(Path.Combine(DataDirectory, SqliteFileName));

    /// <summary>
    /// Every connection waits up to 30 s on the file lock instead of failing at once: concurrent
    /// writers queue rather than error. Pooling keeps connections (and their WAL mapping) open.
    /// </summary>
    public string SqliteConnectionString => $"Data Source={SqliteFile};Pooling=True;Default Timeout=30";
}
