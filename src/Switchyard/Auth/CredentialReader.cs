using Microsoft.AspNetCore.Http;

namespace Switchyard.Auth;

/// <summary>Finds the caller's key in any of the forms CONTRACT §3 accepts.</summary>
public static class CredentialReader
{
    public static string? Read(HttpRequest request)
    {
        var headers = request.Headers;
        if (headers.Authorization.ToString() is { Length: > 7 } authorization
            && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization[7..].Trim();
        }

        if (headers["x-api-key"].ToString() is { Length: > 0 } apiKey)
        {
            return apiKey;
        }

        if (headers["x-goog-api-key"].ToString() is { Length: > 0 } googKey)
        {
            return googKey;
        }

        // Google's own clients may put the key in the query string; only on Gemini paths.
        if (request.Path.StartsWithSegments("/v1beta", StringComparison.Ordinal)
            && request.Query["key"].ToString() is { Length: > 0 } queryKey)
        {
            return queryKey;
        }

        return null;
    }
}
