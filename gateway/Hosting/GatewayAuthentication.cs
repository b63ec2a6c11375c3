using System.Security.Claims;
using System.Security.Cryptography.X509Certificates;
using Coordination.Gateway.Security;
using Microsoft.AspNetCore.Authentication.Certificate;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.IdentityModel.Tokens;

namespace Coordination.Gateway.Hosting;

/// <summary>Who is calling: bearer tokens for everyone, client certificates for company systems when an authority is configured.</summary>
public static class GatewayAuthentication
{
    /// <summary>
    /// JWT bearer tokens: issuer, audience, lifetime and signature checked, asymmetric algorithms
    /// only (no "none", no HMAC that a public key could be abused as). Keys come from configuration;
    /// without any, the development key is trusted and the log says so.
    /// </summary>
    public static WebApplicationBuilder AddCoordinationAuthentication(this WebApplicationBuilder builder, AuthOptions auth, TlsOptions tls)
    {
        var companyAuthority = tls.CompanyCertificateAuthorityFile is { } authorityFile
            ? X509Certificate2.CreateFromPem(File.ReadAllText(authorityFile))
            : null;
        var keys = auth.SigningKeyFiles.Select(LoadPublicKey).ToList();
        var development = keys.Count == 0;
        if (development)
        {
            keys.Add(Api.DevelopmentTokens.LoadOrCreate(auth.DevelopmentKeyFile).SecurityKey);
        }

        var authentication = builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme);
        string[] schemes = [JwtBearerDefaults.AuthenticationScheme];
        if (companyAuthority is not null)
        {
            authentication.AddCompanyCertificates(companyAuthority);
            schemes = [.. schemes, CertificateAuthenticationDefaults.AuthenticationScheme];
        }

        authentication.AddJwtBearer(jwt =>
        {
            jwt.MapInboundClaims = false;

            // Nothing reads the raw token back from the ticket; storing it costs an allocation per call.
            jwt.SaveToken = false;
            jwt.TokenHandlers.Clear();
            jwt.TokenHandlers.Add(new CachingTokenHandler());
            jwt.TokenValidationParameters = new TokenValidationParameters
            {
                ValidIssuer = auth.Issuer,
                ValidAudience = auth.Audience,
                IssuerSigningKeys = keys,
                ValidateIssuer = true,
                ValidateAudience = true,
                ValidateLifetime = true,
                ValidateIssuerSigningKey = true,
                RequireSignedTokens = true,
                RequireExpirationTime = true,
                ValidAlgorithms = [SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSsaPssSha256],
                ClockSkew = auth.ClockSkew,
                NameClaimType = "sub",
                RoleClaimType = Api.TokenClaims.Role,
            };

            jwt.Events = new JwtBearerEvents
            {
                OnMessageReceived = context =>
                {
                    context.Token ??= Web.BrowserSession.TokenFrom(context.Request);
                    return Task.CompletedTask;
                },
                OnChallenge = context =>
                {
                    context.HandleResponse();
                    var reason = context.AuthenticateFailure switch
                    {
                        null => "a bearer token is required (Authorization: Bearer <token>)",
                        SecurityTokenExpiredException => "the token has expired",
                        SecurityTokenNotYetValidException => "the token is not valid yet",
                        SecurityTokenInvalidAudienceException => "the token is not meant for this service (audience)",
                        SecurityTokenInvalidIssuerException => "the token's issuer is not trusted",
                        SecurityTokenInvalidAlgorithmException or SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException =>
                            "the token is not signed by a trusted key with an accepted algorithm",
                        _ => "the token is not valid",
                    };
                    if (!Web.BrowserSession.IsGrpc(context.Request))
                    {
                        return Web.BrowserSession.Challenge(context.HttpContext, reason);
                    }

                    return ErrorMapping.WriteGrpcRefusal(context.Response, Grpc.Core.StatusCode.Unauthenticated, reason);
                },
            };
        });
        builder.Services.AddAuthorization(authorization =>
        {
            authorization.DefaultPolicy = new AuthorizationPolicyBuilder(schemes).RequireAuthenticatedUser().Build();
            authorization.AddPolicy(Web.BrowserSession.OperatorPolicy, new AuthorizationPolicyBuilder(JwtBearerDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser().RequireClaim(Api.TokenClaims.Role, Web.BrowserSession.OperatorRole).Build());
        });
        builder.Services.AddSingleton(new SigningKeyReport(development ? Path.GetFullPath(auth.DevelopmentKeyFile) : null, keys.Count, auth.Issuer, auth.Audience));
        return builder;
    }

    /// <summary>
    /// Company systems may present a client certificate issued by the configured company authority:
    /// it stands for a company token (role company, company = the certificate's CN).
    /// </summary>
    private static void AddCompanyCertificates(this Microsoft.AspNetCore.Authentication.AuthenticationBuilder authentication, X509Certificate2 authority)
    {
        authentication.AddCertificate(certificates =>
        {
            certificates.AllowedCertificateTypes = CertificateTypes.Chained;
            certificates.ChainTrustValidationMode = X509ChainTrustMode.CustomRootTrust;
            certificates.CustomTrustStore = [authority];
            certificates.RevocationMode = X509RevocationMode.NoCheck;
            certificates.ValidateValidityPeriod = true;
            certificates.Events = new CertificateAuthenticationEvents
            {
                OnCertificateValidated = context =>
                {
                    var company = context.ClientCertificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
                    try
                    {
                        Domain.Validate.Id(company, "certificate CN");
                    }
                    catch (Domain.CoordinationException)
                    {
                        context.Fail("the certificate's common name is not a company id");
                        return Task.CompletedTask;
                    }

                    context.Principal = new ClaimsPrincipal(new ClaimsIdentity(
                        [
                            new Claim("sub", $"certificate:{context.ClientCertificate.Thumbprint}"),
                            new Claim(Api.TokenClaims.Role, "company"),
                            new Claim(Api.TokenClaims.Company, company),
                        ],
                        context.Scheme.Name,
                        "sub",
                        Api.TokenClaims.Role));
                    context.Success();
                    return Task.CompletedTask;
                },
            };
        });
    }

    private static SecurityKey LoadPublicKey(string path)
    {
        var pem = File.ReadAllText(path);
        if (pem.Contains("PRIVATE KEY", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{path} holds a private key; the gateway needs only the public key to check tokens.");
        }

        try
        {
            var ec = System.Security.Cryptography.ECDsa.Create();
            ec.ImportFromPem(pem);
            return new ECDsaSecurityKey(ec) { KeyId = Path.GetFileNameWithoutExtension(path) };
        }
        catch (ArgumentException)
        {
            var rsa = System.Security.Cryptography.RSA.Create();
            rsa.ImportFromPem(pem);
            return new RsaSecurityKey(rsa) { KeyId = Path.GetFileNameWithoutExtension(path) };
        }
    }
}

/// <summary>Which token signing keys the gateway trusts, for the start-up report.</summary>
internal sealed record SigningKeyReport(string? DevelopmentKeyFile, int Keys, string Issuer, string Audience);
