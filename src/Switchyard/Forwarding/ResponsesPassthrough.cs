using System.Buffers;
using System.Text.Json;
using Switchyard.Dialects;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.OpenAI;
using Switchyard.Dialects.OpenAI.Responses;

namespace Switchyard.Forwarding;

/// <summary>Passthrough rules for OpenAI Responses upstreams (models configured with <c>"api": "responses"</c>).</summary>
public sealed class ResponsesPassthrough : PassthroughDialect
{
    public static ResponsesPassthrough Instance { get; } = new();

    public override Dialect Dialect => Dialect.OpenAIResponses;

    public override IReadOnlyList<(string Name, double Min, double Max)> Ranges { get; } =
    [
        ("temperature", 0, 2),
        ("top_p", 0, 1),
        ("max_output_tokens", 1, int.MaxValue),
    ];

    public override bool EchoesMetadata => true;

    public override IUsageTap CreateTap(string clientModel, bool clientAskedForUsageChunk, Func<Usage, decimal?>? price) =>
        new ResponsesUsageTap(clientModel, price);

    public override GatewayError ReadError(int status, byte[] body) => OpenAIErrors.Read(status, body);

    public override Usage ReadUsage(ReadOnlySpan<byte> usageJson) => ResponsesUsageTap.ReadUsage(usageJson);

    /// <summary>A <c>response.failed</c> event: the Responses stream's own way to end in error.</summary>
    public override void WriteErrorJson(GatewayError error, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, JsonWire.WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("type"u8, "response.failed"u8);
        writer.WriteStartObject("response"u8);
        writer.WriteString("object"u8, "response"u8);
        writer.WriteString("status"u8, "failed"u8);
        writer.WriteStartObject("error"u8);
        writer.WriteString("code"u8, OpenAIErrors.TypeAndCode(error).Code ?? "server_error");
        writer.WriteString("message"u8, error.Message);
        writer.WriteEndObject();
        writer.WriteStartArray("output"u8);
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteEndObject();
    }

    protected override string? ErrorEventType => "response.failed";
}
