using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;

namespace Switchyard.Tests.Infrastructure.Clouds;

/// <summary>
/// Google's OAuth token endpoint for service accounts (RFC 7523 JWT bearer grant) on loopback:
/// checks the assertion's RS256 signature with the service account's public key, its issuer,
/// audience (this endpoint), scope and times on the test's clock, and issues access tokens that
/// expire on that clock.
/// </summary>
public sealed class FakeGoogleOAuth : IAsyncDisposable
{
    public const string Scope = "https://www.googleapis.com/auth/cloud-platform";

    public const string Audience = "https://oauth2.googleapis.com/token";

    private readonly ConcurrentDictionary<string, DateTimeOffset> _issued = new();
    private readonly TimeProvider _time;
    private LoopbackServer? _server;
    private int _count;

    private FakeGoogleOAuth(TimeProvider time) => _time = time;

    public string TokenUri => _server!.BaseUrl + "/token";

    /// <summary>The account allowed to get tokens and its public key; set before the first request.</summary>
    public (string Email, RSA PublicKey)? Account { get; set; }

    public TimeSpan TokenLifetime { get; init; } = TimeSpan.FromHours(1);

    public int Issued => _count;

    public IReadOnlyCollection<CloudRequest> Requests => _server!.Requests;

    public static async Task<FakeGoogleOAuth> StartAsync(TimeProvider time)
    {
        var fake = new FakeGoogleOAuth(time);
        fake._server = await LoopbackServer.StartAsync(fake.HandleAsync);
        return fake;
    }

    public bool IsValid(string token) => _issued.TryGetValue(token, out var expires) && _time.GetUtcNow() < expires;

    private async Task HandleAsync(HttpContext context, CloudRequest request)
    {
        var form = System.Web.HttpUtility.ParseQueryString(request.BodyText);
        if (request.Path != "/token" || form["grant_type"] != "urn:ietf:params:oauth:grant-type:jwt-bearer" || form["assertion"] is not { } assertion)
        {
            await Refuse(context, "unsupported_grant_type", "Invalid grant_type or missing assertion.");
            return;
        }

        if (Check(assertion) is { } problem)
        {
            await Refuse(context, "invalid_grant", problem);
            return;
        }

        var token = $"ya29.fake-{Interlocked.Increment(ref _count)}-{Guid.NewGuid():N}";
        _issued[token] = _time.GetUtcNow() + TokenLifetime;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(new JsonObject
        {
            ["access_token"] = token,
            ["expires_in"] = (int)TokenLifetime.TotalSeconds,
            ["token_type"] = "Bearer",
        }.ToJsonString());
    }

    /// <summary>Null when the assertion is good, else what Google would say is wrong with it.</summary>
    private string? Check(string assertion)
    {
        var parts = assertion.Split('.');
        if (parts.Length != 3 || Account is not { } account)
        {
            return "Invalid JWT.";
        }

        var header = JsonNode.Parse(Base64Url.DecodeFromChars(parts[0]));
        var claims = JsonNode.Parse(Base64Url.DecodeFromChars(parts[1]))!;
        if (header?["alg"]?.GetValue<string>() != "RS256")
        {
            return "Invalid JWT: alg must be RS256.";
        }

        var signed = Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]);
        if (!account.PublicKey.VerifyData(signed, Base64Url.DecodeFromChars(parts[2]), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1))
        {
            return "Invalid JWT Signature.";
        }

        var now = _time.GetUtcNow().ToUnixTimeSeconds();
        var issuedAt = claims["iat"]!.GetValue<long>();
        var expires = claims["exp"]!.GetValue<long>();
        if (claims["iss"]?.GetValue<string>() != account.Email)
        {
            return "Invalid JWT: unknown issuer.";
        }

        // Google's endpoint, wherever it is reached, wants its own token URL as the audience.
        if (claims["aud"]?.GetValue<string>() != Audience)
        {
            return "Invalid JWT: audience must be " + Audience + ".";
        }

        if (claims["scope"]?.GetValue<string>()?.Split(' ').Contains(Scope) != true)
        {
            return "Invalid JWT: scope missing.";
        }

        return issuedAt > now + 60 || expires <= now || expires - issuedAt > 3600
            ? "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe."
            : null;
    }

    private static Task Refuse(HttpContext context, string error, string description)
    {
        context.Response.StatusCode = 400;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(new JsonObject { ["error"] = error, ["error_description"] = description }.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        if (_server is not null)
        {
            await _server.DisposeAsync();
        }
    }
}
