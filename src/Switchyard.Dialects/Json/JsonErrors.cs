using System.Text.Json;

namespace Switchyard.Dialects.Json;

/// <summary>Turns a deserialization failure into a client-facing message and parameter path.</summary>
public static class JsonErrors
{
    public static string Describe(JsonException exception)
    {
        var path = Param(exception);
        return path is null
            ? "The request body is not valid JSON."
            : $"'{path}' has the wrong type or is malformed.";
    }

    /// <summary>The parameter the error points at, as <c>messages[0].content</c>, or null for syntax errors.</summary>
    public static string? Param(JsonException exception)
    {
        // The serializer wraps reader (syntax) errors, themselves JsonExceptions; type mismatches
        // carry the reader's InvalidOperationException or FormatException, or no inner exception.
        if (exception.InnerException is JsonException)
        {
            return null;
        }

        var path = exception.Path;
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return null;
        }

        return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
    }
}
