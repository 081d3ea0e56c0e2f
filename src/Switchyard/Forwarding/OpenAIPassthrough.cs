using System.Buffers;
using System.Text.Json;
using Switchyard.Dialects;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.OpenAI;
using Switchyard.Dialects.OpenAI.Chat;

namespace Switchyard.Forwarding;

/// <summary>Passthrough rules for OpenAI-compatible upstreams (Chat Completions and embeddings).</summary>
public sealed class OpenAIPassthrough(Dialect dialect) : PassthroughDialect
{
    private static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    public static OpenAIPassthrough Chat { get; } = new(Dialect.OpenAIChat);

    public static OpenAIPassthrough Embeddings { get; } = new(Dialect.OpenAIEmbeddings);

    public override Dialect Dialect => dialect;

    public override IReadOnlyList<(string Name, double Min, double Max)> Ranges =>
        dialect == Dialect.OpenAIChat ? ChatCompletionsParameters.Ranges : [];

    public override bool ForcesStreamUsage => dialect == Dialect.OpenAIChat;

    public override bool EchoesMetadata => dialect == Dialect.OpenAIChat;

    public override ReadOnlyMemory<byte> Terminator => Done;

    public override IUsageTap CreateTap(string clientModel, bool clientAskedForUsageChunk, Func<Usage, decimal?>? price) =>
        new ChatCompletionsUsageTap(clientModel, clientAskedForUsageChunk, price);

    public override GatewayError ReadError(int status, byte[] body) => OpenAIErrors.Read(status, body);

    public override Usage ReadUsage(ReadOnlySpan<byte> usageJson) => ChatCompletionsUsageTap.ReadUsage(usageJson);

    public override void WriteErrorJson(GatewayError error, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, JsonWire.WriterOptions);
        writer.WriteStartObject();
        OpenAIErrors.WriteErrorObject(writer, error);
        writer.WriteEndObject();
    }
}
