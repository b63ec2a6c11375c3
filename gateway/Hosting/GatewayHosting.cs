using Coordination.Gateway.Security;
using Coordination.Gateway.Services;
using Coordination.Gateway.Web;
using Orleans.Dashboard;
using System.Security.Claims;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Authentication.Certificate;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace Coordination.Gateway;

public static class GatewayHosting
{
    /// <summary>Whether the Orleans dashboard runs (silo side) and is served to operators (gateway side).</summary>
    public const string OrleansDashboardSetting = "Coordination:Orleans:Dashboard";

    public const string OrleansDashboardPath = "/orleans";

    /// <summary>
    /// The gRPC gateway's services and endpoints. It needs an <see cref="IGrainFactory"/> in the
    /// container: the co-hosted silo's, or an Orleans client's when the gateway runs alone.
    /// </summary>
    public static WebApplicationBuilder AddCoordinationGateway(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(Hosting.GatewayOptions.Section).Get<Hosting.GatewayOptions>() ?? new Hosting.GatewayOptions();
        var limits = builder.Configuration.GetSection(LimitsOptions.Section).Get<LimitsOptions>() ?? new LimitsOptions();
        builder.Services.Configure<Hosting.GatewayOptions>(builder.Configuration.GetSection(Hosting.GatewayOptions.Section));
        builder.Services.Configure<LimitsOptions>(builder.Configuration.GetSection(LimitsOptions.Section));

        var grpc = Hosting.GatewayOptions.Parse(options.GrpcEndpoint, nameof(options.GrpcEndpoint));
        var http = Hosting.GatewayOptions.Parse(options.HttpEndpoint, nameof(options.HttpEndpoint));
        var tls = builder.Configuration.GetSection(TlsOptions.Section).Get<TlsOptions>() ?? new TlsOptions();
        var serverCertificate = tls.CertificateFile is { } certificateFile
            ? X509Certificate2.CreateFromPemFile(certificateFile, tls.KeyFile)
            : null;
        var companyAuthority = tls.CompanyCertificateAuthorityFile is { } authorityFile
            ? X509Certificate2.CreateFromPem(File.ReadAllText(authorityFile))
            : null;
        if (companyAuthority is not null && serverCertificate is null)
        {
            throw new InvalidOperationException($"{TlsOptions.Section}:CompanyCertificateAuthorityFile needs TLS: set {TlsOptions.Section}:CertificateFile too.");
        }

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // gRPC without TLS needs an HTTP/2-only endpoint (no protocol negotiation without ALPN).
            kestrel.Listen(grpc, listen =>
            {
                listen.Protocols = HttpProtocols.Http2;
                if (serverCertificate is not null)
                {
                    listen.UseHttps(serverCertificate, https =>
                    {
                        // Asked for, not required: police and dashboards use tokens. The certificate
                        // handler decides whether a presented certificate is trusted.
                        https.ClientCertificateMode = companyAuthority is null ? ClientCertificateMode.NoCertificate : ClientCertificateMode.AllowCertificate;
                        https.AllowAnyClientCertificate();
                    });
                }
            });
            kestrel.Listen(http, listen =>
            {
                listen.Protocols = HttpProtocols.Http1;

                // Browsers sign in here and carry a token cookie: with a certificate, it is HTTPS too (and the cookie Secure).
                if (serverCertificate is not null)
                {
                    listen.UseHttps(serverCertificate);
                }
            });
        });

        builder.AddCoordinationAuthentication(companyAuthority);
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<Hosting.ErrorMapping>();
        builder.Services.AddSingleton<CallerRateLimiter>();
        builder.Services.AddSingleton(RpcRules.OfApi());
        builder.Services.AddSingleton<CallerInterceptor>();
        builder.Services.AddSingleton<AuditWriter>();
        builder.Services.AddSingleton<DashboardHub>();
        builder.Services.AddSingleton<DashboardFeeds>();
        builder.Services.AddSingleton<StaticAssets>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<AuditWriter>());
        builder.Services.AddGrpc(grpcOptions =>
        {
            // Outermost first: errors are mapped after the caller interceptor has audited them.
            grpcOptions.Interceptors.Add<Hosting.ErrorMapping>();
            grpcOptions.Interceptors.Add<CallerInterceptor>();
            grpcOptions.EnableDetailedErrors = false;
            grpcOptions.MaxReceiveMessageSize = limits.MaxMessageBytes;
        });
        if (options.Reflection != Hosting.ReflectionMode.Off)
        {
            builder.Services.AddGrpcReflection();
        }

        builder.Services.AddGrpcHealthChecks().AddCheck<Hosting.ClusterHealthCheck>("cluster");
        builder.Services.AddHostedService<StartupReport>();
        builder.Services.UseDecodingServiceMethodProvider();
        return builder;
    }

    /// <summary>
    /// Every service is bound by <see cref="Hosting.DecodingServiceMethodProvider{TService}"/> instead of
    /// grpc-dotnet's own provider (both would bind each method twice). Called after every AddGrpc*,
    /// which registers grpc-dotnet's provider again; if a grpc-dotnet upgrade renames it, start-up fails
    /// here rather than undecodable requests silently answering UNKNOWN again.
    /// </summary>
    private static void UseDecodingServiceMethodProvider(this IServiceCollection services)
    {
        // grpc-dotnet's other provider (ServiceDefinitionMethodProvider) binds only services mapped from a
        // ServerServiceDefinition, which the gateway has none of; it stays.
        var providers = services.Where(d => d.ServiceType == typeof(Grpc.AspNetCore.Server.Model.IServiceMethodProvider<>)).ToList();
        var stock = providers.Where(d => d.ImplementationType?.Name == "BinderServiceMethodProvider`1").ToList();
        if (stock.Count != 1)
        {
            throw new InvalidOperationException(
                $"expected grpc-dotnet's BinderServiceMethodProvider once among the gRPC method providers, found: {string.Join(", ", providers.Select(d => d.ImplementationType?.Name))}");
        }

        services.Remove(stock[0]);
        services.AddSingleton(typeof(Grpc.AspNetCore.Server.Model.IServiceMethodProvider<>), typeof(Hosting.DecodingServiceMethodProvider<>));
    }

    public static WebApplication MapCoordinationGateway(this WebApplication app)
    {
        app.UseAuthentication();
        app.UseAuthorization();

        // Nothing of the public API answers without a valid token; health stays open.
        app.MapGrpcService<CompanyApi>().RequireAuthorization();
        app.MapGrpcService<PoliceApi>().RequireAuthorization();
        app.MapGrpcService<DashboardApi>().RequireAuthorization();
        app.MapGrpcHealthChecksService();
        app.MapHealthChecks("/healthz");
        var reflection = app.Services.GetRequiredService<IOptions<Hosting.GatewayOptions>>().Value.Reflection;
        if (reflection == Hosting.ReflectionMode.Authenticated)
        {
            app.MapGrpcReflectionService().RequireAuthorization();
        }
        else if (reflection == Hosting.ReflectionMode.Open)
        {
            app.MapGrpcReflectionService();
        }

        // The browser side, on the HTTP/1.1 endpoint: the web dashboard, its event streams and sign-in,
        // and the Orleans dashboard for operators.
        app.MapBrowserSession();
        app.MapEventStreams();
        if (app.Configuration.GetValue(OrleansDashboardSetting, true))
        {
            app.MapOrleansDashboard(OrleansDashboardPath).RequireAuthorization(Web.BrowserSession.OperatorPolicy);
        }

        var assets = app.Services.GetRequiredService<StaticAssets>();
        app.MapGet("/{**path}", (HttpContext http) => assets.Serve(http, http.Request.Path.Value ?? "/"));
        return app;
    }

    /// <summary>
    /// JWT bearer tokens: issuer, audience, lifetime and signature checked, asymmetric algorithms
    /// only (no "none", no HMAC that a public key could be abused as). Keys come from configuration;
    /// without any, the development key is trusted and the log says so.
    /// </summary>
    private static void AddCoordinationAuthentication(this WebApplicationBuilder builder, X509Certificate2? companyAuthority)
    {
        var auth = builder.Configuration.GetSection(AuthOptions.Section).Get<AuthOptions>() ?? new AuthOptions();
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

                    return Hosting.ErrorMapping.WriteGrpcRefusal(context.Response, Grpc.Core.StatusCode.Unauthenticated, reason);
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

    private sealed record SigningKeyReport(string? DevelopmentKeyFile, int Keys, string Issuer, string Audience);

    /// <summary>Says where the process listens once Kestrel has bound (ports chosen at run time included), and which keys it trusts.</summary>
    private sealed class StartupReport(IServer server, IHostApplicationLifetime lifetime, SigningKeyReport keys, IOptions<Hosting.GatewayOptions> options, ILogger<StartupReport> logger) : IHostedService
    {
        public Task StartAsync(CancellationToken cancellationToken)
        {
            lifetime.ApplicationStarted.Register(() =>
            {
                var addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
                logger.LogInformation("Coordination gateway listening on {Addresses} (gRPC on the HTTP/2 endpoint, health and web on the HTTP/1.1 one)", string.Join(", ", addresses));
                if (keys.DevelopmentKeyFile is { } file)
                {
                    logger.LogWarning("No signing keys configured: trusting the DEVELOPMENT key {File}. Mint a token with: dotnet run --project cli -- token --role police --district oslo", file);
                    LogDashboardLink(file);
                }
                else
                {
                    logger.LogInformation("Trusting {Keys} configured token signing key(s)", keys.Keys);
                }
            });
            return Task.CompletedTask;
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        /// <summary>
        /// With the development key only: a link that signs a browser in as a national viewer for
        /// 12 hours. The token rides in the fragment, which browsers never send to a server.
        /// </summary>
        private void LogDashboardLink(string keyFile)
        {
            var http = Hosting.GatewayOptions.Parse(options.Value.HttpEndpoint, nameof(Hosting.GatewayOptions.HttpEndpoint));
            if (http.Port == 0)
            {
                return;
            }

            using var signer = Api.DevelopmentTokens.Load(keyFile);
            var token = signer.Mint("development-dashboard", "viewer", national: true, issuer: keys.Issuer, audience: keys.Audience);
            logger.LogInformation("Web dashboard (development key, national viewer for 12 h): http://{Endpoint}/#token={Token}", http, token);
        }
    }
}
