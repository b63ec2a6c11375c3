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
}
