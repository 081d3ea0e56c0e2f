using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace Switchyard.Dialects.Json;

/// <summary>
/// Wire JSON in and out. Written: plain UTF-8 with only the escapes JSON requires, as providers
/// send it (the default encoder's HTML-safe escaping, <c>\u0022</c> for a quote, is valid but
/// bloats and differs from what clients see from the providers themselves). Read: a malformed
/// body is the client's 400 or the upstream's 502, whichever sent it.
/// </summary>
public static class JsonWire
{
    public static JsonWriterOptions WriterOptions { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = false };

    /// <summary>
    /// A client's body as its dialect's wire type: malformed JSON, a field of the wrong type, or a
    /// body that is not an object is the client's 400, naming the field where it can.
    /// </summary>
    public static T ReadClientBody<T>(ReadOnlySpan<byte> body, JsonTypeInfo<T> type)
        where T : class
    {
        T? wire;
        try
        {
            wire = JsonSerializer.Deserialize(body, type);
        }
        catch (JsonException exception)
        {
            throw GatewayException.InvalidRequest(JsonErrors.Describe(exception), JsonErrors.Param(exception));
        }

        return wire ?? throw GatewayException.InvalidRequest("The request body must be a JSON object.");
    }

    /// <summary>
    /// An upstream's whole answer, read as its dialect's wire type and mapped to the neutral model:
    /// an answer that is not what the dialect's documentation says (malformed JSON, a field of the
    /// wrong type) is the upstream's failure, a 502, never the gateway's.
    /// </summary>
    public static TResult ReadUpstreamAnswer<TWire, TResult>(ReadOnlySpan<byte> body, JsonTypeInfo<TWire> type, Func<TWire, TResult> map)
        where TWire : class
    {
        try
        {
            var wire = JsonSerializer.Deserialize(body, type) ?? throw new JsonException("null response");
            return map(wire);
        }
        catch (Exception exception) when (exception is JsonException or InvalidOperationException or FormatException
            or GatewayException { Error.Kind: GatewayErrorKind.InvalidRequest })
        {
            // InvalidOperationException: a JsonElement the mapping read holds another kind of value.
            // InvalidRequest: a mapping shared with the client side refused an item; in an answer the
            // item is the upstream's fault, not the caller's.
            throw JsonErrors.MalformedAnswer();
        }
    }
}
