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

        var path = exception.Path + (exception.Data[NestedPathKey] as string);
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return null;
        }

        return path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
    }

    private const string NestedPathKey = "Switchyard.NestedJsonPath";

    /// <summary>
    /// For a converter that reads part of a value with a serializer call of its own: that call's
    /// failure names a path from the part (<c>$[0].text</c>), and the serializer around it adds
    /// nothing to a path already set. The failure again, with no path, so the outer serializer sets
    /// where the part is, and the part's own path kept for <see cref="Param"/> to append.
    /// </summary>
    public static JsonException Nested(JsonException exception) =>
        exception.InnerException is JsonException || exception.Path is not { Length: > 1 } relative
            ? exception
            : new JsonException(exception.Message, exception.InnerException) { Data = { [NestedPathKey] = relative[1..] } };

    /// <summary>
    /// True for what System.Text.Json throws when a value is asked of it and the bytes cannot give
    /// it: an element of another JSON type, a number that does not fit, text that is not UTF-8 or
    /// holds an escaped lone surrogate. It marks exactly these with this source, which tells them
    /// from a bug in the code that asked.
    /// </summary>
    public static bool IsValueError(Exception exception) =>
        exception is InvalidOperationException or FormatException && exception.Source == "System.Text.Json.Rethrowable";

    /// <summary>The 400 for a value of a client's body that cannot be read (<see cref="IsValueError"/>).</summary>
    public static GatewayException ValueError(Exception exception) =>
        GatewayException.InvalidRequest($"A value in the request body cannot be read: {exception.Message}");

    /// <summary>Maps a client's parsed body, refusing with a 400 a value that cannot be read (<see cref="IsValueError"/>).</summary>
    public static T ClientValues<T>(Func<T> map)
    {
        try
        {
            return map();
        }
        catch (Exception exception) when (IsValueError(exception))
        {
            throw ValueError(exception);
        }
        catch (JsonException)
        {
            // A part the mapping reads into its own wire type; the path would be the part's, not the body's.
            throw GatewayException.InvalidRequest("A value in the request body has the wrong type or is malformed.");
        }
    }

    /// <summary>The upstream failure for an answer that does not have the shape its API documents.</summary>
    public static GatewayException MalformedAnswer() =>
        new(new GatewayError(GatewayErrorKind.UpstreamFailed, "The upstream sent a malformed response.") { Code = "upstream_error" });
}
