using Microsoft.AspNetCore.Http;

namespace Switchyard.Auth;

/// <summary>Finds the caller's key in any of the forms the API accepts.</summary>
internal static class CredentialReader
{
    /// <summary>Reads the key; <paramref name="allowQueryKey"/> admits <c>?key=</c>, which Google's clients send on their routes.</summary>
    public static string? Read(HttpRequest request, bool allowQueryKey = false)
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

        if (allowQueryKey && request.Query["key"].ToString() is { Length: > 0 } queryKey)
        {
            return queryKey;
        }

        return null;
    }
}
