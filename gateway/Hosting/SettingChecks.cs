using System.Globalization;
using System.Net;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;

namespace Coordination.Gateway.Hosting;

/// <summary>
/// What is wrong with one configuration section, each failure naming the setting in full (such as
/// <c>Coordination:Offers:UrgentDeadline</c>) so an operator can find it. Every options validator of
/// the project reports through this. A check takes the setting's name from the expression it is
/// given (<c>o.UrgentDeadline</c> names <c>UrgentDeadline</c>).
/// </summary>
public sealed class SettingChecks(string section)
{
    /// <summary>
    /// The longest a timer waits: grain timers, reminders' local timers and .NET timers all refuse a
    /// due time over 2^32 − 2 ms (about 49.7 days), so a longer span fails when first armed, mid-call.
    /// </summary>
    public static readonly TimeSpan LongestTimerWait = TimeSpan.FromMilliseconds(uint.MaxValue - 1);

    private readonly List<string> _failures = [];

    public ValidateOptionsResult Result => _failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(_failures);

    /// <summary>The full configuration name of a setting of this section.</summary>
    public string Name(string setting) => $"{section}:{setting}";

    /// <summary>A rule of its own (one that relates two settings, say), stated in full by the caller.</summary>
    public SettingChecks That(bool holds, string failure)
    {
        if (!holds)
        {
            _failures.Add(failure);
        }

        return this;
    }

    public SettingChecks Positive(TimeSpan value, TimeSpan? atMost = null, [CallerArgumentExpression(nameof(value))] string setting = "") =>
        value <= TimeSpan.Zero
            ? That(false, $"{Named(setting)} must be a positive time span such as 00:00:05 (was {value}).")
            : NotLongerThan(value, atMost, setting);

    public SettingChecks NotNegative(TimeSpan value, TimeSpan? atMost = null, [CallerArgumentExpression(nameof(value))] string setting = "") =>
        value < TimeSpan.Zero
            ? That(false, $"{Named(setting)} must be zero or a positive time span such as 00:00:05 (was {value}).")
            : NotLongerThan(value, atMost, setting);

    public SettingChecks AtLeast(int value, int minimum, [CallerArgumentExpression(nameof(value))] string setting = "") =>
        That(value >= minimum, $"{Named(setting)} must be a whole number of at least {minimum} (was {value}).");

    public SettingChecks Between(int value, int minimum, int maximum, [CallerArgumentExpression(nameof(value))] string setting = "") =>
        That(value >= minimum && value <= maximum, $"{Named(setting)} must be a whole number from {minimum} to {maximum} (was {value}).");

    /// <summary>
    /// A named value of the enum. The configuration binder refuses a name it does not know, but takes any
    /// number, so <c>7</c> would otherwise reach the code as a value no switch expects.
    /// </summary>
    public SettingChecks Defined<TEnum>(TEnum value, [CallerArgumentExpression(nameof(value))] string setting = "")
        where TEnum : struct, Enum =>
        That(Enum.IsDefined(value), $"{Named(setting)} must be one of {string.Join(", ", Enum.GetNames<TEnum>())} (was {Convert.ToInt64(value, CultureInfo.InvariantCulture)}).");

    public SettingChecks Required(string? value, [CallerArgumentExpression(nameof(value))] string setting = "") =>
        That(!string.IsNullOrWhiteSpace(value), $"{Named(setting)} must be set.");

    /// <summary>An IP address and port such as 127.0.0.1:5080 (port 0 picks a free port).</summary>
    public SettingChecks Endpoint(string? value, [CallerArgumentExpression(nameof(value))] string setting = "") =>
        That(IPEndPoint.TryParse(value ?? "", out _), $"{Named(setting)} must be host:port with an IP address, such as 127.0.0.1:5080 (was '{value}').");

    public SettingChecks Address(string? value, [CallerArgumentExpression(nameof(value))] string setting = "") =>
        That(IPAddress.TryParse(value ?? "", out _), $"{Named(setting)} must be an IP address such as 127.0.0.1 (was '{value}').");

    /// <summary>A file the process reads at start, when one is given.</summary>
    public SettingChecks ExistingFile(string? path, [CallerArgumentExpression(nameof(path))] string setting = "") =>
        That(string.IsNullOrEmpty(path) || File.Exists(path), $"{Named(setting)} names a file that does not exist: {(string.IsNullOrEmpty(path) ? "" : Path.GetFullPath(path))}.");

    private SettingChecks NotLongerThan(TimeSpan value, TimeSpan? atMost, string setting) =>
        That(atMost is not { } most || value <= most, $"{Named(setting)} must be at most {atMost} (was {value}).");

    // "o.UrgentDeadline" names UrgentDeadline; a name given as such ("Gateways:0") stays as it is.
    private string Named(string setting) => Name(setting.Contains(':', StringComparison.Ordinal) ? setting : setting[(setting.LastIndexOf('.') + 1)..]);
}
