using System.Buffers;
using System.Text.Json;
using Switchyard.Dialects;

namespace Switchyard.Pipeline;

/// <summary>RFC 9457 problem details for the admin and ops routes.</summary>
internal static class ProblemDetailsWriter
{
    public static void Write(GatewayError error, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, Switchyard.Dialects.Json.JsonWire.WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("type"u8, "about:blank");
        writer.WriteString("title"u8, Title(error.Status));
        writer.WriteNumber("status"u8, error.Status);
        writer.WriteString("detail"u8, error.Message);
        if (error.Param is { } param)
        {
            writer.WriteString("param"u8, param);
        }

        writer.WriteEndObject();
    }

    private static string Title(int status) => status switch
    {
        400 => "Bad Request",
        401 => "Unauthorized",
        402 => "Payment Required",
        403 => "Forbidden",
        404 => "Not Found",
        408 => "Request Timeout",
        409 => "Conflict",
        413 => "Payload Too Large",
        422 => "Unprocessable Entity",
        429 => "Too Many Requests",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        504 => "Gateway Timeout",
        _ => "Internal Server Error",
    };
}
