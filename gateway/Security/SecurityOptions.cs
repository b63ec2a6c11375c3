using Coordination.Gateway.Hosting;
using Microsoft.Extensions.Options;

namespace Coordination.Gateway.Security;

/// <summary>Configuration section <c>Coordination:Auth</c>.</summary>
public sealed class AuthOptions
{
    public const string Section = "Coordination:Auth";

    public string Issuer { get; set; } = Api.TokenClaims.DefaultIssuer;
    public string Audience { get; set; } = Api.TokenClaims.DefaultAudience;

    /// <summary>
    /// PEM files with the public keys (EC or RSA) that sign real tokens. When none are given the
    /// gateway trusts the development key instead, and says so at start.
    /// </summary>
    public string[] SigningKeyFiles { get; set; } = [];

    /// <summary>The development signer's key (created on first start); <c>coord token</c> signs with it.</summary>
    public string DevelopmentKeyFile { get; set; } = Path.Combine("data", "dev-signing-key.pem");

    /// <summary>Tolerance for clock differences when checking a token's lifetime.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The largest tolerance accepted: beyond it an expired token would stay good for longer than a clock can plausibly be off.</summary>
    public static readonly TimeSpan MaxClockSkew = TimeSpan.FromMinutes(5);

    public sealed class Validator : IValidateOptions<AuthOptions>
    {
        public ValidateOptionsResult Validate(string? name, AuthOptions o)
        {
            var checks = new SettingChecks(Section)
                .Required(o.Issuer)
                .Required(o.Audience)
                .NotNegative(o.ClockSkew, MaxClockSkew);
            for (var i = 0; i < o.SigningKeyFiles.Length; i++)
            {
                checks.ExistingFile(o.SigningKeyFiles[i], $"{nameof(SigningKeyFiles)}:{i}");
            }

            // The development key is created when missing, so only its name is needed.
            return checks.That(o.SigningKeyFiles.Length > 0 || !string.IsNullOrWhiteSpace(o.DevelopmentKeyFile),
                $"{checks.Name(nameof(DevelopmentKeyFile))} must be set when {checks.Name(nameof(SigningKeyFiles))} is empty.").Result;
        }
    }
}

/// <summary>Configuration section <c>Coordination:Limits</c>.</summary>
public sealed class LimitsOptions
{
    public const string Section = "Coordination:Limits";

    /// <summary>Largest request message accepted; larger ones are refused with RESOURCE_EXHAUSTED.</summary>
    public int MaxMessageBytes { get; set; } = 1024 * 1024;

    /// <summary>Sustained calls (and feed reports) per second per caller identity.</summary>
    public int RequestsPerSecond { get; set; } = 200;

    /// <summary>How many calls a caller may make at once above the sustained rate.</summary>
    public int Burst { get; set; } = 400;

    public sealed class Validator : IValidateOptions<LimitsOptions>
    {
        public ValidateOptionsResult Validate(string? name, LimitsOptions o) => new SettingChecks(Section)
            .AtLeast(o.MaxMessageBytes, 1)
            .AtLeast(o.RequestsPerSecond, 1)
            .AtLeast(o.Burst, 1)
            .Result;
    }
}

/// <summary>
/// Configuration section <c>Coordination:Gateway:Tls</c>: TLS on the gRPC endpoint and, optionally,
/// client certificates for company systems.
/// </summary>
public sealed class TlsOptions
{
    public const string Section = "Coordination:Gateway:Tls";

    /// <summary>The server certificate (PEM) and its key; when set, the gRPC endpoint speaks TLS (HTTP/2 over ALPN).</summary>
    public string? CertificateFile { get; set; }

    public string? KeyFile { get; set; }

    /// <summary>
    /// PEM file of the certificate authority that issues company-system certificates (needs TLS).
    /// When set, a company system may authenticate with a client certificate instead of a token:
    /// the certificate must chain to this authority (and only to it), be valid now, and carry the
    /// company id as its subject's common name (CN).
    /// </summary>
    public string? CompanyCertificateAuthorityFile { get; set; }

    public sealed class Validator : IValidateOptions<TlsOptions>
    {
        public ValidateOptionsResult Validate(string? name, TlsOptions o)
        {
            var checks = new SettingChecks(Section)
                .ExistingFile(o.CertificateFile)
                .ExistingFile(o.KeyFile)
                .ExistingFile(o.CompanyCertificateAuthorityFile);
            var tls = !string.IsNullOrEmpty(o.CertificateFile);
            return checks
                .That(tls || string.IsNullOrEmpty(o.KeyFile), $"{checks.Name(nameof(KeyFile))} is the key of {checks.Name(nameof(CertificateFile))}: set that too.")
                .That(tls || string.IsNullOrEmpty(o.CompanyCertificateAuthorityFile), $"{checks.Name(nameof(CompanyCertificateAuthorityFile))} needs TLS: set {checks.Name(nameof(CertificateFile))} too.")
                .Result;
        }
    }
}
