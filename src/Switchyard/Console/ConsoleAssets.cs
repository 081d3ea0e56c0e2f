using System.Collections.Frozen;
using System.IO.Compression;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Net.Http.Headers;

namespace Switchyard.Console;

/// <summary>
/// The console's stylesheet and script, embedded in the binary (nothing is read from disk or
/// fetched from elsewhere) and compressed once at start with Brotli and gzip. Pages link them
/// with their content hash in the query, so they are cached for good and replaced on upgrade.
/// </summary>
internal static class ConsoleAssets
{
    private static readonly FrozenDictionary<string, Asset> Assets = Load();

    /// <summary>The asset's URL, versioned by its content.</summary>
    public static string Url(string name) => $"{ConsoleAuth.Path}/assets/{name}?v={Assets[name].Hash}";

    public static void Map(RouteGroupBuilder ui) => ui.MapGet("/assets/{name}", Serve).AllowAnonymous();

    private static IResult Serve(HttpContext context, string name)
    {
        if (!Assets.TryGetValue(name, out var asset))
        {
            return Results.NotFound();
        }

        var headers = context.Response.Headers;
        headers.CacheControl = "public, max-age=31536000, immutable";
        headers.Vary = "Accept-Encoding";
        headers.ETag = asset.ETag;
        if (context.Request.Headers.IfNoneMatch.ToString() == asset.ETag)
        {
            return Results.StatusCode(StatusCodes.Status304NotModified);
        }

        var accepted = context.Request.Headers.AcceptEncoding.ToString();
        if (accepted.Contains("br", StringComparison.OrdinalIgnoreCase))
        {
            headers.ContentEncoding = "br";
            return Results.Bytes(asset.Brotli, asset.ContentType);
        }

        if (accepted.Contains("gzip", StringComparison.OrdinalIgnoreCase))
        {
            headers.ContentEncoding = "gzip";
            return Results.Bytes(asset.Gzip, asset.ContentType);
        }

        return Results.Bytes(asset.Raw, asset.ContentType);
    }

    private static FrozenDictionary<string, Asset> Load()
    {
        var assembly = typeof(ConsoleAssets).Assembly;
        var assets = new Dictionary<string, Asset>(StringComparer.Ordinal);
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith("console/", StringComparison.Ordinal)))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var raw = new MemoryStream();
            stream.CopyTo(raw);
            var bytes = raw.ToArray();
            var name = resource["console/".Length..];
            var hash = Convert.ToHexStringLower(SHA256.HashData(bytes))[..16];
            assets[name] = new Asset(bytes, Compress(bytes, s => new BrotliStream(s, CompressionLevel.SmallestSize)),
                Compress(bytes, s => new GZipStream(s, CompressionLevel.SmallestSize)),
                name.EndsWith(".css", StringComparison.Ordinal) ? "text/css; charset=utf-8" : "text/javascript; charset=utf-8", hash, $"\"{hash}\"");
        }

        return assets.ToFrozenDictionary(StringComparer.Ordinal);
    }

    private static byte[] Compress(byte[] bytes, Func<Stream, Stream> compressor)
    {
        using var output = new MemoryStream();
        using (var compress = compressor(output))
        {
            compress.Write(bytes);
        }

        return output.ToArray();
    }

    private sealed record Asset(byte[] Raw, byte[] Brotli, byte[] Gzip, string ContentType, string Hash, string ETag);
}
