using System.Buffers;
using System.Text.Json;
using Switchyard.Dialects.Json;

namespace Switchyard.Dialects.Anthropic;

/// <summary>Anthropic's error envelope <c>{"type":"error","error":{"type","message"}}</c> and its type names (https://docs.anthropic.com/en/api/errors).</summary>
public static class AnthropicErrors
{
    public static string TypeOf(GatewayError error) => error.Kind switch
    {
        GatewayErrorKind.InvalidRequest or GatewayErrorKind.Unprocessable or GatewayErrorKind.RequestTimeout => "invalid_request_error",
        GatewayErrorKind.Unauthenticated => "authentication_error",
        GatewayErrorKind.CreditExhausted => "billing_error",
        GatewayErrorKind.ModelNotAllowed => "permission_error",
        GatewayErrorKind.ModelNotFound or GatewayErrorKind.NotFound => "not_found_error",
        GatewayErrorKind.PayloadTooLarge => "request_too_large",
        GatewayErrorKind.RateLimited => "rate_limit_error",
        GatewayErrorKind.AllDeploymentsBusy or GatewayErrorKind.GatewayBusy => "overloaded_error",
        GatewayErrorKind.UpstreamTimeout => "timeout_error",
        _ => "api_error",
    };

    public static void Write(GatewayError error, IBufferWriter<byte> output, string? requestId = null)
    {
        using var writer = new Utf8JsonWriter(output, JsonWire.WriterOptions);
        WriteEnvelope(writer, error, requestId);
    }

    public static void WriteEnvelope(Utf8JsonWriter writer, GatewayError error, string? requestId = null)
    {
        writer.WriteStartObject();
        writer.WriteString("type"u8, "error"u8);
        writer.WriteStartObject("error"u8);
        writer.WriteString("type"u8, TypeOf(error));
        writer.WriteString("message"u8, error.Message);
        writer.WriteEndObject();
        if (requestId is not null)
        {
            writer.WriteString("request_id"u8, requestId);
        }

        writer.WriteEndObject();
    }

    /// <summary>Reads an upstream's error body; 529 overloaded is a failure another deployment may not share.</summary>
    public static GatewayError Read(int status, ReadOnlySpan<byte> body)
    {
        string? message = null;
        string? type = null;
        try
        {
            var envelope = JsonSerializer.Deserialize(body, AnthropicJsonContext.Default.ErrorEnvelopeWire);
            message = envelope?.Error?.Message;
            type = envelope?.Error?.Type;
        }
        catch (Exception exception) when (exception is JsonException || JsonErrors.IsValueError(exception))
        {
            // Not Anthropic's envelope (a proxy's error page): keep only the status.
        }

        return FromType(status, type, message);
    }

    /// <summary>An error reported inside a stream (<c>event: error</c>) or with a status.</summary>
    public static GatewayError FromType(int status, string? type, string? message)
    {
        var effective = type switch
        {
            "overloaded_error" => 529,
            "rate_limit_error" => 429,
            "api_error" when status < 500 => 500,
            "timeout_error" => 504,
            _ => status,
        };
        return UpstreamErrors.FromStatus(effective, message);
    }
}
