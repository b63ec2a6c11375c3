using Coordination.Gateway.Hosting;
using Microsoft.Extensions.Options;

namespace Coordination.Silo.Persistence;

public enum StorageProvider
{
    /// <summary>One silo, state in a SQLite file under <see cref="StorageOptions.DataDirectory"/>.</summary>
    Sqlite = 1,

    /// <summary>A cluster: membership, grain state, reminders and the audit log in one PostgreSQL database that every silo shares.</summary>
    PostgreSql = 2,
}

/// <summary>Configuration section <c>Coordination:Storage</c>.</summary>
public sealed class StorageOptions
{
    public const string Section = "Coordination:Storage";

    public StorageProvider Provider { get; set; } = StorageProvider.Sqlite;

    /// <summary>Folder of the SQLite database file; created when missing. Relative paths are taken from the working directory.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>The PostgreSQL database (Npgsql connection string) when <see cref="Provider"/> is PostgreSql.</summary>
    public string? ConnectionString { get; set; }

    public const string SqliteFileName = "coordination.db";

    public string SqliteFile => Path.GetFullPath(Path.Combine(DataDirectory, SqliteFileName));

    /// <summary>
    /// Every connection waits up to 30 s on the file lock instead of failing at once: concurrent
    /// writers queue rather than error. Pooling keeps connections (and their WAL mapping) open.
    /// </summary>
    public string SqliteConnectionString => $"Data Source={SqliteFile};Pooling=True;Default Timeout=30";

    private const string NoConnectionString =
        $"{Section}:Provider is PostgreSql but {Section}:ConnectionString is not set (e.g. \"Host=10.0.0.4;Database=coordination;Username=coordination;Password=...\")";

    /// <summary>The PostgreSQL connection string, or a start-up failure that says which setting is missing.</summary>
    public string PostgresConnectionString => string.IsNullOrWhiteSpace(ConnectionString)
        ? throw new InvalidOperationException(NoConnectionString)
        : ConnectionString;

    public sealed class Validator : IValidateOptions<StorageOptions>
    {
        public ValidateOptionsResult Validate(string? name, StorageOptions o)
        {
            var checks = new SettingChecks(Section).Defined(o.Provider);
            return (o.Provider == StorageProvider.PostgreSql
                ? checks.That(!string.IsNullOrWhiteSpace(o.ConnectionString), NoConnectionString)
                : checks.Required(o.DataDirectory)).Result;
        }
    }

    /// <summary>Where state lives, for the start-up log line.</summary>
    public string Describe() => Provider == StorageProvider.PostgreSql
        ? $"PostgreSQL {new Npgsql.NpgsqlConnectionStringBuilder(PostgresConnectionString) { Password = null }.ConnectionString}"
        : SqliteFile;
}
