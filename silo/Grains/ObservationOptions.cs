using Coordination.Gateway.Hosting;
using Microsoft.Extensions.Options;

namespace Coordination.Silo.Grains;

/// <summary>Configuration section <c>Coordination:Observations</c>.</summary>
public sealed class ObservationOptions
{
    public const string Section = "Coordination:Observations";

    /// <summary>
    /// How long an observation's free text, the police's messages back and its photos are kept after
    /// it was reported: what guards saw of people is personal data, kept no longer than needed. What
    /// remains is the metadata (category, position, times, triage steps) and the hashes of the text
    /// and of each photo (which the audit log holds too).
    /// </summary>
    public TimeSpan RetainTextFor { get; set; } = TimeSpan.FromDays(30);

    public sealed class Validator : IValidateOptions<ObservationOptions>
    {
        public ValidateOptionsResult Validate(string? name, ObservationOptions o) =>
            new SettingChecks(Section).Positive(o.RetainTextFor, TimeSpan.FromDays(3650)).Result;
    }
}
