using System.Text.Json;

namespace Coordination.Bench;

/// <summary>One measured figure with its goal, and the machine's load when it was taken.</summary>
internal sealed record Figure(string Section, string Name, double? Value, string Unit, string Goal, bool? Met, string Note, string Load);

internal sealed class Report
{
    private readonly List<Figure> _figures = [];

    public IReadOnlyList<Figure> Figures => _figures;

    public void Add(string section, string name, double? value, string unit, string goal = "", bool? met = null, string note = "")
    {
        // A figure that could not be computed (no samples) is reported as missing, never as a number.
        value = value is { } v && double.IsFinite(v) ? v : null;
        var figure = new Figure(section, name, value, unit, goal, met, note, Load());
        _figures.Add(figure);
        Console.WriteLine($"  {name,-58} {Format(value),12} {unit,-10} {goal,-14} {(met is null ? "" : met.Value ? "met" : "MISSED"),-7} {note}");
    }

    public static string Load() => File.Exists("/proc/loadavg") ? string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "n/a";

    public void Print()
    {
        Console.WriteLine();
        Console.WriteLine($"{"figure",-70} {"value",12} {"unit",-10} {"goal",-14} {"result",-7} load(1/5/15 min)");
        foreach (var f in _figures)
        {
            Console.WriteLine($"{f.Section + ": " + f.Name,-70} {Format(f.Value),12} {f.Unit,-10} {f.Goal,-14} {(f.Met is null ? "" : f.Met.Value ? "met" : "MISSED"),-7} {f.Load}");
        }
    }

    public async Task WriteJsonAsync(string path, bool smoke)
    {
        var document = new
        {
            takenAt = DateTimeOffset.UtcNow,
            smoke,
            machine = new { processors = Environment.ProcessorCount, os = System.Runtime.InteropServices.RuntimeInformation.OSDescription, runtime = Environment.Version.ToString() },
            figures = _figures,
        };
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true }));
    }

    private static string Format(double? value) => value switch
    {
        null => "n/a",
        >= 100 => value.Value.ToString("N0", System.Globalization.CultureInfo.InvariantCulture),
        _ => value.Value.ToString("0.00", System.Globalization.CultureInfo.InvariantCulture),
    };
}
