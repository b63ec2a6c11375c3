using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;
using Coordination.Api.V1;

namespace Coordination.Cli;

/// <summary>
/// The kinds of option the commands take. Numbers are read with the invariant culture (59.911 is a
/// latitude on every machine, whatever its language), and a value that does not parse is a parse
/// error naming the option, so it ends with exit code 2 before any call is made.
/// </summary>
internal static class Opt
{
    public static Option<string?> Text(string name, string description, string helpName, bool required = false) =>
        new(name) { Description = description, HelpName = helpName, Required = required };

    public static Option<bool> Flag(string name, string description) => new(name) { Description = description };

    public static Option<int> WholeNumber(string name, string description, int? byDefault = null, bool required = false)
    {
        var option = new Option<int>(name)
        {
            Description = description,
            HelpName = "N",
            Required = required,
            CustomParser = result => Given(result) is { } text
                && int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
                    ? value
                    : Refuse<int>(result, $"'{Given(result)}' is not a whole number"),
        };
        if (byDefault is { } value)
        {
            option.DefaultValueFactory = _ => value;
        }

        return option;
    }

    /// <summary>A decimal number; null when the option is absent and has no default.</summary>
    public static Option<double?> Number(string name, string description, double? byDefault = null, bool required = false, string helpName = "X")
    {
        var option = new Option<double?>(name)
        {
            Description = description,
            HelpName = helpName,
            Required = required,
            CustomParser = result => Given(result) is { } text
                && double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && double.IsFinite(value)
                    ? value
                    : Refuse<double?>(result, $"'{Given(result)}' is not a number"),
        };
        if (byDefault is { } value)
        {
            option.DefaultValueFactory = _ => value;
        }

        return option;
    }

    /// <summary>
    /// A comma-separated list (a,b,c); the option may also be repeated. Empty when absent, and an empty
    /// value ("") is an empty list, which some commands mean (an agreement without priorities ends it).
    /// </summary>
    public static Option<string[]> List(string name, string description, string helpName, bool required = false, params string[] aliases) =>
        new(name, aliases)
        {
            Description = description,
            HelpName = helpName,
            Required = required,
            DefaultValueFactory = _ => [],
            CustomParser = result => [.. result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))],
        };

    /// <summary>
    /// One of an API enum's values, written in lower case with hyphens (en-route for EnRoute); the
    /// unspecified value is never a choice. Null when the option is absent and has no default.
    /// </summary>
    public static Option<TEnum?> Keyword<TEnum>(string name, string description, string choices, TEnum? byDefault = null, bool required = false)
        where TEnum : struct, Enum
    {
        var option = new Option<TEnum?>(name)
        {
            Description = description,
            HelpName = choices,
            Required = required,
            CustomParser = result => Given(result) is { } text && ParseKeyword<TEnum>(text) is { } value
                ? value
                : Refuse<TEnum?>(result, $"'{Given(result)}' is not one of {choices}"),
        };
        if (byDefault is { } value)
        {
            option.DefaultValueFactory = _ => value;
        }

        return option;
    }

    /// <summary>A comma-separated list of an API enum's values (see <see cref="Keyword{TEnum}"/>).</summary>
    public static Option<TEnum[]> Keywords<TEnum>(string name, string description, string choices)
        where TEnum : struct, Enum =>
        new(name)
        {
            Description = description,
            HelpName = choices,
            DefaultValueFactory = _ => [],
            CustomParser = result =>
            {
                var words = result.Tokens.SelectMany(t => t.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                var values = new List<TEnum>();
                foreach (var word in words)
                {
                    if (ParseKeyword<TEnum>(word) is not { } value)
                    {
                        return Refuse<TEnum[]>(result, $"'{word}' is not one of {choices}");
                    }

                    values.Add(value);
                }

                return [.. values];
            },
        };

    /// <summary>A sequence number a stream sent (0 or more).</summary>
    public static Option<long> Sequence(string name, string description) =>
        new(name)
        {
            Description = description,
            HelpName = "N",
            DefaultValueFactory = _ => 0,
            CustomParser = result => Given(result) is { } text
                && long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
                    ? value
                    : Refuse<long>(result, $"'{Given(result)}' is not a sequence number (0 or more)"),
        };

    /// <summary>An interval: 60s, 1m, 500ms, or plain seconds; more than zero.</summary>
    public static Option<TimeSpan?> Interval(string name, string description) =>
        new(name)
        {
            Description = description,
            HelpName = "60s|1m|500ms",
            CustomParser = result => Given(result) is { } text && ParseInterval(text) is { } interval
                ? interval
                : Refuse<TimeSpan?>(result, $"'{Given(result)}' is not an interval (60s, 1m, 500ms)"),
        };

    /// <summary>
    /// A moment: a duration from now (90m, 6h, 2d) or a time (2026-05-17T18:00, 18:00 for today; local
    /// unless it has an offset, as coord prints local times). Null when absent and without a default.
    /// </summary>
    public static Option<Moment?> Moment(string name, string description, Moment? byDefault = null)
    {
        var option = new Option<Moment?>(name)
        {
            Description = description,
            HelpName = "6h|2026-05-17T18:00",
            CustomParser = result => Given(result) is { } text && ParseMoment(text) is { } moment
                ? moment
                : Refuse<Moment?>(result, $"'{Given(result)}' is neither a duration (90m, 6h, 2d) nor a time (2026-05-17T18:00, 18:00)"),
        };
        if (byDefault is { } value)
        {
            option.DefaultValueFactory = _ => value;
        }

        return option;
    }

    /// <summary>A circle as LAT,LON,RADIUS_KM (59.911,10.753,2).</summary>
    public static Option<Circle?> Circle(string name, string description) =>
        new(name)
        {
            Description = description,
            HelpName = "LAT,LON,RADIUS_KM",
            CustomParser = result => Given(result) is { } text && Numbers(text.Split(',')) is [var lat, var lon, var radius]
                ? new Circle { Centre = new GeoPoint { Latitude = lat, Longitude = lon }, RadiusKm = radius }
                : Refuse<Circle?>(result, $"'{Given(result)}' is not LAT,LON,RADIUS_KM"),
        };

    /// <summary>A point as LAT,LON (59.911,10.753).</summary>
    public static Option<GeoPoint?> Point(string name, string description, bool required = false) =>
        new(name)
        {
            Description = description,
            HelpName = "LAT,LON",
            Required = required,
            CustomParser = result => Given(result) is { } text && Numbers(text.Split(',')) is [var lat, var lon]
                ? new GeoPoint { Latitude = lat, Longitude = lon }
                : Refuse<GeoPoint?>(result, $"'{Given(result)}' is not LAT,LON (two numbers, such as 59.911,10.753)"),
        };

    /// <summary>
    /// A polygon as "lat,lon lat,lon ..." (one value, points apart by spaces). CAP wants it closed; a
    /// ring whose last point is not its first is closed here by repeating the first, so nobody has to type it twice.
    /// </summary>
    public static Option<GeoPoint[]> Polygon(string name, string description) =>
        new(name)
        {
            Description = description,
            HelpName = "\"LAT,LON LAT,LON ...\"",
            DefaultValueFactory = _ => [],
            CustomParser = result =>
            {
                var points = new List<GeoPoint>();
                foreach (var point in (Given(result) ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    if (Numbers(point.Split(',')) is not [var lat, var lon])
                    {
                        return Refuse<GeoPoint[]>(result, $"'{point}' is not a point LAT,LON");
                    }

                    points.Add(new GeoPoint { Latitude = lat, Longitude = lon });
                }

                if (points.Count == 0)
                {
                    return Refuse<GeoPoint[]>(result, "no points; give them as \"LAT,LON LAT,LON ...\"");
                }

                return points[0].Equals(points[^1]) ? [.. points] : [.. points, points[0].Clone()];
            },
        };

    /// <summary>A parse error that says which option it was about, as every message of the old parser did.</summary>
    private static T Refuse<T>(ArgumentResult result, string problem)
    {
        result.AddError($"{OptionName(result)}: {problem}");
        return default!;
    }

    private static string OptionName(ArgumentResult result) =>
        result.Parent is OptionResult { IdentifierToken: { } used } ? used.Value
        : result.Parent is OptionResult option ? option.Option.Name
        : result.Argument.Name;

    /// <summary>The value given (the last, should the option be repeated where it takes one).</summary>
    private static string? Given(ArgumentResult result) => result.Tokens.Count > 0 ? result.Tokens[^1].Value : null;

    /// <summary>
    /// The enum value a word names. Enum.TryParse also takes numbers ("3"), which would let a typo
    /// through as some other status; only names count here.
    /// </summary>
    private static TEnum? ParseKeyword<TEnum>(string text)
        where TEnum : struct, Enum =>
        Enum.TryParse<TEnum>(text.Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out var value)
            && Enum.IsDefined(value) && Convert.ToInt32(value, CultureInfo.InvariantCulture) != 0
            && !text.Any(char.IsDigit)
                ? value
                : null;

    /// <summary>Every part as an invariant, finite number; null when one is not.</summary>
    private static double[]? Numbers(string[] parts)
    {
        var numbers = new double[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i], NumberStyles.Float, CultureInfo.InvariantCulture, out numbers[i]) || !double.IsFinite(numbers[i]))
            {
                return null;
            }
        }

        return numbers;
    }

    private static Moment? ParseMoment(string text)
    {
        var unit = text.Length > 1 ? text[^1] switch { 's' => 1.0, 'm' => 60.0, 'h' => 3_600.0, 'd' => 86_400.0, _ => 0 } : 0;
        if (unit > 0 && double.TryParse(text[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var count) && count > 0 && double.IsFinite(count))
        {
            return new Moment(TimeSpan.FromSeconds(count * unit), null);
        }

        // A time needs a colon: a bare date or number is more likely a mistake than midnight.
        return text.Contains(':', StringComparison.Ordinal)
            && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal | DateTimeStyles.AllowWhiteSpaces, out var at)
                ? new Moment(null, at)
                : null;
    }

    private static TimeSpan? ParseInterval(string text)
    {
        var (number, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 0.001)
            : text.EndsWith('s') ? (text[..^1], 1.0)
            : text.EndsWith('m') ? (text[..^1], 60.0)
            : (text, 1.0);
        return double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 && double.IsFinite(value)
            ? TimeSpan.FromSeconds(value * unit)
            : null;
    }
}

/// <summary>When something is due: a duration from the moment of the call, or a time.</summary>
internal readonly record struct Moment(TimeSpan? After, DateTimeOffset? At)
{
    public DateTimeOffset From(DateTimeOffset now) => At ?? now + (After ?? TimeSpan.Zero);

    /// <summary>The moment as one in the past: a duration is how long ago (10m: ten minutes before now).</summary>
    public DateTimeOffset Before(DateTimeOffset now) => At ?? now - (After ?? TimeSpan.Zero);

    /// <summary>As it would be written on the command line (help shows a default this way).</summary>
    public override string ToString() =>
        At is { } at ? at.ToString("yyyy-MM-ddTHH:mm:sszzz", CultureInfo.InvariantCulture)
        : After is { TotalHours: var hours } && hours == Math.Floor(hours) ? string.Create(CultureInfo.InvariantCulture, $"{hours}h")
        : string.Create(CultureInfo.InvariantCulture, $"{After?.TotalSeconds}s");
}
