using System.Net;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Coordination.Api.V1;
using Grpc.Core;
using Grpc.Net.Client;
using static Coordination.Tests.Infrastructure.ApiBuilders;

namespace Coordination.Tests;

/// <summary>Company systems may authenticate with a client certificate from the company authority instead of a token.</summary>
public sealed class ClientCertificateTests
{
    [Fact]
    public async Task A_company_certificate_from_the_trusted_authority_stands_for_a_company_token_and_no_other()
    {
        using var data = new TempDirectory();
        using var authority = Authority("Coordination company CA");
        using var rogueAuthority = Authority("Someone else's CA");
        using var server = SelfSigned();
        var serverPem = Path.Combine(data.Path, "server.pem");
        var serverKey = Path.Combine(data.Path, "server.key");
        var authorityPem = Path.Combine(data.Path, "company-ca.pem");
        await File.WriteAllTextAsync(serverPem, server.ExportCertificatePem());
        await File.WriteAllTextAsync(serverKey, server.GetECDsaPrivateKey()!.ExportPkcs8PrivateKeyPem());
        await File.WriteAllTextAsync(authorityPem, authority.ExportCertificatePem());

        await using var node = await RunningNode.StartAsync(data.Path,
            $"--Coordination:Gateway:Tls:CertificateFile={serverPem}",
            $"--Coordination:Gateway:Tls:KeyFile={serverKey}",
            $"--Coordination:Gateway:Tls:CompanyCertificateAuthorityFile={authorityPem}");

        using var trusted = Issue(authority, "certvakt");
        using var rogue = Issue(rogueAuthority, "certvakt");
        using var trustedChannel = Channel(node.GrpcPort, server, trusted);
        using var rogueChannel = Channel(node.GrpcPort, server, rogue);
        using var bareChannel = Channel(node.GrpcPort, server, null);

        var company = new CompanyService.CompanyServiceClient(trustedChannel);
        var registered = await company.RegisterUnitsAsync(Register("", Unit("c1", 2, "oslo", "patrol")));
        var listed = await company.ListUnitsAsync(new ListUnitsRequest());
        var otherCompany = await Assert.ThrowsAsync<RpcException>(async () => await company.ListUnitsAsync(new ListUnitsRequest { CompanyId = "someone-else" }));
        var policeWork = await Assert.ThrowsAsync<RpcException>(async () => await new PoliceService.PoliceServiceClient(trustedChannel).GetCapacityAsync(National()));
        var rogueCall = await Assert.ThrowsAsync<RpcException>(async () => await new CompanyService.CompanyServiceClient(rogueChannel).ListUnitsAsync(new ListUnitsRequest()));
        var noCertificate = await Assert.ThrowsAsync<RpcException>(async () => await new CompanyService.CompanyServiceClient(bareChannel).ListUnitsAsync(new ListUnitsRequest()));

        Assert.Equal(1, registered.Created);
        Assert.Equal(("certvakt", "c1"), (listed.Units.Single().CompanyId, listed.Units.Single().UnitId));
        Assert.Equal(StatusCode.PermissionDenied, otherCompany.StatusCode);
        Assert.Equal(StatusCode.PermissionDenied, policeWork.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, rogueCall.StatusCode);
        Assert.Equal(StatusCode.Unauthenticated, noCertificate.StatusCode);

        // Tokens still work on the TLS endpoint.
        var police = new PoliceService.PoliceServiceClient(bareChannel);
        var headers = new Metadata { { "authorization", $"Bearer {node.Tokens.Police("oslo")}" } };
        Assert.Equal(1, (await police.GetCapacityAsync(District("oslo"), headers)).RegisteredUnits);
    }

    private static GrpcChannel Channel(int port, X509Certificate2 server, X509Certificate2? client)
    {
        var handler = new SocketsHttpHandler
        {
            SslOptions = new SslClientAuthenticationOptions
            {
                // The test server's certificate is self-signed: trust exactly that one.
                RemoteCertificateValidationCallback = (_, presented, _, _) => presented is not null && presented.GetCertHashString() == server.GetCertHashString(),
                ClientCertificates = client is null ? null : [client],
            },
        };
        return GrpcChannel.ForAddress($"https://127.0.0.1:{port}", new GrpcChannelOptions { HttpHandler = handler });
    }

    private static X509Certificate2 Authority(string name)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }

    private static X509Certificate2 Issue(X509Certificate2 authority, string company)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={company}, O=Company system", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.2")], false));
        using var issued = request.Create(authority, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7), RandomNumberGenerator.GetBytes(8));
        using var withKey = issued.CopyWithPrivateKey(key);

        // Through PKCS#12 so the TLS stack gets a key it can use.
        return X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
    }

    private static X509Certificate2 SelfSigned()
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        using var created = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(7));
        return X509CertificateLoader.LoadPkcs12(created.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
    }
}
