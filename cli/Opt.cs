using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

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
