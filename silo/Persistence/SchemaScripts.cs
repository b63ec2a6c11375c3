namespace Coordination.Silo.Persistence;

/// <summary>
/// The project's own database scripts, embedded in the silo: <c>{database}-{version}-{name}.sql</c>,
/// applied in version order and recorded in a <c>CoordinationSchema</c> table, so a database is
/// upgraded by running only what it has not seen.
/// </summary>
internal static class SchemaScripts
{
    private const string ResourcePrefix = "Coordination.Sql.";

    public static IEnumerable<(int Version, string Name, string Sql)> For(string database)
    {
        var assembly = typeof(SchemaScripts).Assembly;
        var prefix = $"{ResourcePrefix}{database}-";
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var name = resource[ResourcePrefix.Length..];
            var version = int.Parse(name.AsSpan(database.Length + 1, 3), System.Globalization.CultureInfo.InvariantCulture);
            using var reader = new StreamReader(assembly.GetManifestResourceStream(resource)!);
            yield return (version, name, reader.ReadToEnd());
        }
    }
}
