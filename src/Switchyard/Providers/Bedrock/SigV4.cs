using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Switchyard.Providers.Bedrock;

/// <summary>
/// AWS Signature Version 4 (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv-create-signed-request.html),
/// header form, checked against AWS's published test suite. Paths are signed as the request line
/// carries them, encoded once more: a Bedrock model id's ':' travels as <c>%3A</c> and is signed
/// as <c>%253A</c>, as every AWS service but S3 expects.
/// </summary>
internal static class SigV4
{
    public const string Algorithm = "AWS4-HMAC-SHA256";

    /// <summary>SHA-256 of no bytes, the payload hash of a request without a body.</summary>
    public const string EmptyPayloadHash = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    public static string AmzDate(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);

    public static string PayloadHash(ReadOnlySpan<byte> body) => Convert.ToHexStringLower(SHA256.HashData(body));

    /// <summary>Signs a request described by its parts; <paramref name="headers"/> are exactly the headers to sign.</summary>
    /// <param name="method">The HTTP method.</param>
    /// <param name="path">The path as the request line carries it (already percent-encoded where needed).</param>
    /// <param name="query">The query as the request line carries it, without '?'; may be empty.</param>
    /// <param name="headers">Name and value of every header to sign, <c>host</c> and <c>x-amz-date</c> included.</param>
    /// <param name="payloadHash">Lower-case hex SHA-256 of the body.</param>
    /// <param name="scope">Who signs, where, when.</param>
    public static SigV4Signature Sign(string method, string path, string query, IEnumerable<KeyValuePair<string, string>> headers, string payloadHash, SigV4Scope scope)
    {
        var canonicalHeaders = CanonicalHeaders(headers);
        var signedHeaders = string.Join(';', canonicalHeaders.Select(h => h.Key));
        var canonicalRequest = new StringBuilder()
            .Append(method).Append('\n')
            .Append(CanonicalUri(path)).Append('\n')
            .Append(CanonicalQuery(query)).Append('\n');
        foreach (var (name, value) in canonicalHeaders)
        {
            canonicalRequest.Append(name).Append(':').Append(value).Append('\n');
        }

        canonicalRequest.Append('\n').Append(signedHeaders).Append('\n').Append(payloadHash);

        var date = scope.At.UtcDateTime.ToString("yyyyMMdd", CultureInfo.InvariantCulture);
        var credentialScope = $"{date}/{scope.Region}/{scope.Service}/aws4_request";
        var creq = canonicalRequest.ToString();
        var stringToSign = $"{Algorithm}\n{AmzDate(scope.At)}\n{credentialScope}\n{Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(creq)))}";

        var key = HMACSHA256.HashData(Encoding.UTF8.GetBytes("AWS4" + scope.SecretAccessKey), Encoding.UTF8.GetBytes(date));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(scope.Region));
        key = HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(scope.Service));
        key = HMACSHA256.HashData(key, "aws4_request"u8);
        var signature = Convert.ToHexStringLower(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(stringToSign)));

        return new SigV4Signature(
            $"{Algorithm} Credential={scope.AccessKeyId}/{credentialScope}, SignedHeaders={signedHeaders}, Signature={signature}",
            signedHeaders,
            signature,
            creq,
            stringToSign);
    }

    /// <summary>Each path segment encoded with AWS's rules; '/' separates segments and stays.</summary>
    public static string CanonicalUri(string path)
    {
        if (path.Length == 0)
        {
            return "/";
        }

        var builder = new StringBuilder(path.Length + 16);
        foreach (var segment in path.Split('/'))
        {
            if (builder.Length > 0 || path[0] == '/')
            {
                builder.Append('/');
            }

            Encode(builder, segment);
        }

        // Split yields a leading empty segment for an absolute path, which added one '/' too many.
        return path[0] == '/' ? builder.ToString(1, builder.Length - 1) : builder.ToString();
    }

    /// <summary>Parameters decoded, re-encoded with AWS's rules and sorted by name, then value.</summary>
    public static string CanonicalQuery(string query)
    {
        if (string.IsNullOrEmpty(query))
        {
            return string.Empty;
        }

        var pairs = new List<(string Name, string Value)>();
        foreach (var parameter in query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = parameter.IndexOf('=', StringComparison.Ordinal);
            var name = Uri.UnescapeDataString(equals < 0 ? parameter : parameter[..equals]);
            var value = equals < 0 ? string.Empty : Uri.UnescapeDataString(parameter[(equals + 1)..]);
            pairs.Add((Encode(name), Encode(value)));
        }

        pairs.Sort((a, b) =>
        {
            var byName = string.CompareOrdinal(a.Name, b.Name);
            return byName != 0 ? byName : string.CompareOrdinal(a.Value, b.Value);
        });
        return string.Join('&', pairs.Select(p => p.Name + "=" + p.Value));
    }

    /// <summary>Lower-case names, sorted; values trimmed with inner runs of spaces collapsed; repeated names joined by ','.</summary>
    public static List<KeyValuePair<string, string>> CanonicalHeaders(IEnumerable<KeyValuePair<string, string>> headers)
    {
        var byName = new SortedDictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (name, value) in headers)
        {
            var key = name.ToLowerInvariant();
            if (!byName.TryGetValue(key, out var values))
            {
                byName[key] = values = [];
            }

            values.Add(CollapseSpaces(value.Trim()));
        }

        return byName.Select(h => KeyValuePair.Create(h.Key, string.Join(',', h.Value))).ToList();
    }

    public static string Encode(string value)
    {
        var builder = new StringBuilder(value.Length + 8);
        Encode(builder, value);
        return builder.ToString();
    }

    private static void Encode(StringBuilder builder, string value)
    {
        Span<byte> utf8 = stackalloc byte[4];
        foreach (var rune in value.EnumerateRunes())
        {
            if (rune.IsAscii && (char.IsAsciiLetterOrDigit((char)rune.Value) || rune.Value is '-' or '_' or '.' or '~'))
            {
                builder.Append((char)rune.Value);
                continue;
            }

            var length = rune.EncodeToUtf8(utf8);
            for (var i = 0; i < length; i++)
            {
                builder.Append('%').Append(utf8[i].ToString("X2", CultureInfo.InvariantCulture));
            }
        }
    }

    private static string CollapseSpaces(string value)
    {
        if (!value.Contains("  ", StringComparison.Ordinal))
        {
            return value;
        }

        var builder = new StringBuilder(value.Length);
        foreach (var c in value)
        {
            if (c != ' ' || builder.Length == 0 || builder[^1] != ' ')
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }
}
