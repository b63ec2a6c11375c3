using System.Collections.Frozen;
using System.Reflection;
using System.Security.Cryptography;

namespace Coordination.Gateway.Web;

/// <summary>
/// The web dashboard's built files (web/ → gateway/wwwroot, committed), embedded in this assembly so
/// a gateway serves them wherever it runs, with no npm and no content folder to deploy.
/// </summary>
internal sealed class StaticAssets
{
    private const string Prefix = "wwwroot/";

    // Our own page loads nothing from elsewhere and is never framed.
    private const string ContentSecurityPolicy =
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
    {
        [".html"] = "text/html; charset=utf-8",
        [".js"] = "text/javascript; charset=utf-8",
        [".css"] = "text/css; charset=utf-8",
        [".json"] = "application/json",
        [".svg"] = "image/svg+xml",
        [".png"] = "image/png",
        [".ico"] = "image/x-icon",
        [".woff2"] = "font/woff2",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    private readonly FrozenDictionary<string, Asset> _assets;

    public StaticAssets()
    {
        var assembly = typeof(StaticAssets).Assembly;
        _assets = assembly.GetManifestResourceNames()
            .Select(n => (Name: n.Replace('\\', '/'), Resource: n))
            .Where(n => n.Name.StartsWith(Prefix, StringComparison.Ordinal))
            .ToFrozenDictionary(n => "/" + n.Name[Prefix.Length..], n => Load(assembly, n.Resource), StringComparer.Ordinal);
    }

    public int Count => _assets.Count;

    public IResult Serve(HttpContext http, string path)
    {
        if (!_assets.TryGetValue(path == "/" ? "/index.html" : path, out var asset))
        {
            return Results.NotFound();
        }

        var headers = http.Response.Headers;
        headers.ETag = asset.ETag;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.ContentSecurityPolicy = ContentSecurityPolicy;

        // Built files carry a content hash in their names: cached for good. The page itself is revalidated.
        headers.CacheControl = path.StartsWith("/assets/", StringComparison.Ordinal) ? "public, max-age=31536000, immutable" : "no-cache";
        if (http.Request.Headers.IfNoneMatch == asset.ETag)
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        return Results.Bytes(asset.Content, asset.ContentType);
    }

    private static Asset Load(Assembly assembly, string resource)
    {
        using var stream = assembly.GetManifestResourceStream(resource)!;
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        var content = copy.ToArray();
        var type = ContentTypes.GetValueOrDefault(Path.GetExtension(resource), "application/octet-stream");
        return new Asset(content, type, $"\"{Convert.ToHexStringLower(SHA256.HashData(content))[..16]}\"");
    }

    private sealed record Asset(byte[] Content, string ContentType, string ETag);
}
