using System.Buffers;
using System.Text.Json;
using Switchyard.Dialects.Json;

namespace Switchyard.Dialects.OpenAI;

/// <summary>The OpenAI error envelope and its status/type/code table, shared by every OpenAI surface (docs/behaviour.md).</summary>
public static class OpenAIErrors
{
    public static (string Type, string? Code) TypeAndCode(GatewayError error) => error.Kind switch
    {
        GatewayErrorKind.InvalidRequest => ("invalid_request_error", error.Code),
        GatewayErrorKind.Unauthenticated => ("authentication_error", error.Code ?? "invalid_api_key"),
        GatewayErrorKind.CreditExhausted => ("insufficient_quota", error.Code ?? "insufficient_quota"),
        GatewayErrorKind.ModelNotAllowed => ("permission_error", error.Code ?? "model_not_allowed"),
        GatewayErrorKind.ModelNotFound => ("not_found_error", error.Code ?? "model_not_found"),
        GatewayErrorKind.NotFound => ("not_found_error", error.Code),
        GatewayErrorKind.PayloadTooLarge => ("invalid_request_error", error.Code ?? "request_too_large"),
        GatewayErrorKind.Unprocessable => ("invalid_request_error", error.Code),
        GatewayErrorKind.RateLimited => ("rate_limit_error", error.Code ?? "rate_limit_exceeded"),
        GatewayErrorKind.UpstreamFailed => ("server_error", error.Code ?? "upstream_error"),
        GatewayErrorKind.AllDeploymentsBusy => ("server_error", error.Code ?? "overloaded"),
        GatewayErrorKind.UpstreamTimeout => ("server_error", error.Code ?? "upstream_timeout"),
        GatewayErrorKind.RequestTimeout => ("invalid_request_error", error.Code ?? "request_timeout"),
        GatewayErrorKind.GatewayBusy => ("server_error", error.Code ?? "gateway_busy"),
        _ => ("server_error", error.Code),
    };

    /// <summary>Writes <c>{"error":{"message","type","param","code"}}</c>.</summary>
    public static void Write(GatewayError error, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, Switchyard.Dialects.Json.JsonWire.WriterOptions);
        writer.WriteStartObject();
        WriteErrorObject(writer, error);
        writer.WriteEndObject();
    }

    /// <summary>Writes the <c>"error":{…}</c> property into an open object.</summary>
    public static void WriteErrorObject(Utf8JsonWriter writer, GatewayError error)
    {
        var (type, code) = TypeAndCode(error);
        writer.WriteStartObject("error"u8);
        writer.WriteString("message"u8, error.Message);
        writer.WriteString("type"u8, type);
        if (error.Param is { } param)
        {
            writer.WriteString("param"u8, param);
        }
        else
        {
            writer.WriteNull("param"u8);
        }

        if (code is not null)
        {
            writer.WriteString("code"u8, code);
        }
        else
        {
            writer.WriteNull("code"u8);
        }

        writer.WriteEndObject();
    }

    /// <summary>Reads an OpenAI-shaped upstream error body (or anything else) into a gateway error.</summary>
    public static GatewayError Read(int status, ReadOnlySpan<byte> body)
    {
        string? message = null;
        string? code = null;
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var error))
            {
                message = error.ValueKind switch
                {
                    JsonValueKind.Object when error.TryGetProperty("message", out var text) && text.ValueKind == JsonValueKind.String => text.GetString(),
                    JsonValueKind.String => error.GetString(),
                    _ => null,
                };
                if (error.ValueKind == JsonValueKind.Object && error.TryGetProperty("code", out var upstreamCode) && upstreamCode.ValueKind == JsonValueKind.String)
                {
                    code = upstreamCode.GetString();
                }
            }
            else if (document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("message", out var text) && text.ValueKind == JsonValueKind.String)
            {
                message = text.GetString();
            }
        }
        catch (Exception exception) when (exception is JsonException || JsonErrors.IsValueError(exception))
        {
            // Not JSON (an HTML error page from a proxy, say): keep only the status.
        }

        var read = UpstreamErrors.FromStatus(status, message);

        // A caller's own mistake keeps the upstream's code (context_length_exceeded, Azure's
        // content_filter), which clients branch on; the gateway's own problems keep the gateway's.
        return read.Kind is GatewayErrorKind.InvalidRequest or GatewayErrorKind.Unprocessable or GatewayErrorKind.PayloadTooLarge or GatewayErrorKind.NotFound
            && code is { Length: > 0 and <= 64 } && code.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_')
            ? read with { Code = code }
            : read;
    }
}
