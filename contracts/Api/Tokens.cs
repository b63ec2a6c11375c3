using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Coordination.Api;

/// <summary>The claims a Coordination token carries. Roles and scope come from here, never from a request body.</summary>
public static class TokenClaims
{
    /// <summary>"police", "company" or "viewer".</summary>
    public const string Role = "role";

    /// <summary>A district the caller acts for (police, viewer); repeated for several.</summary>
    public const string District = "district";

    /// <summary>"national" for the Police Directorate or a national dashboard.</summary>
    public const string Scope = "scope";

    public const string National = "national";

    /// <summary>The one company a company system acts for.</summary>
    public const string Company = "company";

    public const string DefaultIssuer = "coordination-dev";
    public const string DefaultAudience = "coordination";
}

/// <summary>
/// The development signer: an ECDSA P-256 key kept in a PEM file beside the data, and tokens signed
/// with it (ES256). A single-node system trusts this key when no production keys are configured,
/// so a local user can mint a token for any role with one command (<c>coord token</c>).
/// </summary>
public sealed class DevelopmentTokens : IDisposable
{
    private readonly ECDsa _key;

    private DevelopmentTokens(ECDsa key, string keyId)
    {
        _key = key;
        // No cached signature providers: a provider cached for a disposed key with the same id would be reused.
        SecurityKey = new ECDsaSecurityKey(key) { KeyId = keyId, CryptoProviderFactory = new CryptoProviderFactory { CacheSignatureProviders = false } };
    }

    public ECDsaSecurityKey SecurityKey { get; }

    /// <summary>Loads the key, creating it (readable by the owner only) when the file does not exist.</summary>
    public static DevelopmentTokens LoadOrCreate(string path)
    {
        var key = ECDsa.Create();
        if (File.Exists(path))
        {
            key.ImportFromPem(File.ReadAllText(path));
        }
        else
        {
            key.GenerateKey(ECCurve.NamedCurves.nistP256);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            File.WriteAllText(path, key.ExportPkcs8PrivateKeyPem());
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        }

        var keyId = Convert.ToHexStringLower(SHA256.HashData(key.ExportSubjectPublicKeyInfo()))[..16];
        return new DevelopmentTokens(key, keyId);
    }

    public static DevelopmentTokens Load(string path) =>
        File.Exists(path) ? LoadOrCreate(path) : throw new FileNotFoundException($"No development signing key at {path}; start the system once to create it.", path);

    public string Mint(
        string subject, string role, IEnumerable<string>? districts = null, bool national = false, string? company = null,
        TimeSpan? lifetime = null, string issuer = TokenClaims.DefaultIssuer, string audience = TokenClaims.DefaultAudience, DateTime? notBefore = null)
    {
        var claims = new List<Claim> { new(JwtRegisteredClaimNames.Sub, subject), new(TokenClaims.Role, role) };
        claims.AddRange((districts ?? []).Select(d => new Claim(TokenClaims.District, d)));
        if (national)
        {
            claims.Add(new Claim(TokenClaims.Scope, TokenClaims.National));
        }

        if (company is not null)
        {
            claims.Add(new Claim(TokenClaims.Company, company));
        }

        var now = notBefore ?? DateTime.UtcNow;
        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Subject = new ClaimsIdentity(claims),
            Issuer = issuer,
            Audience = audience,
            NotBefore = now,
            IssuedAt = now,
            Expires = now + (lifetime ?? TimeSpan.FromHours(12)),
            SigningCredentials = new SigningCredentials(SecurityKey, SecurityAlgorithms.EcdsaSha256),
        });
    }

    public void Dispose() => _key.Dispose();
}
