using Coordination.Gateway.Hosting;
using Microsoft.Extensions.Options;

namespace Coordination.Silo.Grains;

/// <summary>Configuration section <c>Coordination:Bulletins</c>.</summary>
public sealed class BulletinOptions
{
    public const string Section = "Coordination:Bulletins";

    /// <summary>
    /// How long a bulletin's free text (headline, description, instruction, and the companies'
    /// acknowledgement texts) is kept after the bulletin ends: descriptions of people are personal
    /// data, kept no longer than needed. What remains is the metadata, the acknowledgements and the
    /// text's hash (which the audit log holds too).
    /// </summary>
    public TimeSpan RetainTextFor { get; set; } = TimeSpan.FromDays(30);

    public sealed class Validator : IValidateOptions<BulletinOptions>
    {
        public ValidateOptionsResult Validate(string? name, BulletinOptions o) =>
            new SettingChecks(Section).Positive(o.RetainTextFor, TimeSpan.FromDays(3650)).Result;
    }
}
