using System.Xml.Linq;
using System.Xml.Schema;
using Coordination.Domain;

namespace Coordination.Tests.Infrastructure;

/// <summary>The OASIS CAP 1.2 schema (copied unchanged from the shared schemas), for a real validator.</summary>
public static class CapSchema
{
    private static readonly Lazy<XmlSchemaSet> Set = new(() =>
    {
        var set = new XmlSchemaSet();
        set.Add(CapAlert.Cap.NamespaceName, Path.Combine(AppContext.BaseDirectory, "Schemas", "CAP-v1.2.xsd"));
        set.Compile();
        return set;
    });

    /// <summary>The schema's complaints about <paramref name="document"/>; empty when it is a valid CAP 1.2 alert.</summary>
    public static IReadOnlyList<string> Errors(XDocument document)
    {
        var errors = new List<string>();
        document.Validate(Set.Value, (_, e) => errors.Add($"{e.Severity}: {e.Message}"));
        return errors;
    }
}
