using System.Security.Cryptography.X509Certificates;
using Coordination.Gateway.Security;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace Coordination.Gateway.Hosting;

/// <summary>Where the gateway listens: gRPC on one endpoint, browsers and health on another, both with TLS when a certificate is configured.</summary>
public static class GatewayListeners
{
    public static WebApplicationBuilder AddGatewayListeners(this WebApplicationBuilder builder, GatewayOptions options, TlsOptions tls)
    {
        var grpc = GatewayOptions.Parse(options.GrpcEndpoint, nameof(options.GrpcEndpoint));
        var http = GatewayOptions.Parse(options.HttpEndpoint, nameof(options.HttpEndpoint));
        var serverCertificate = tls.CertificateFile is { } certificateFile
            ? X509Certificate2.CreateFromPemFile(certificateFile, tls.KeyFile)
            : null;
        var companyCertificates = tls.CompanyCertificateAuthorityFile is not null;

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
                        https.ClientCertificateMode = companyCertificates ? ClientCertificateMode.AllowCertificate : ClientCertificateMode.NoCertificate;
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
        return builder;
    }
}
