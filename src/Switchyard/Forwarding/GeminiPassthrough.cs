using System.Buffers;
using Switchyard.Dialects;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Gemini;

namespace Switchyard.Forwarding;

/// <summary>Passthrough rules for Gemini upstreams: the model is in the URL, usage in <c>usageMetadata</c>.</summary>
public sealed class GeminiPassthrough : PassthroughDialect
{
    public static GeminiPassthrough Instance { get; } = new();

    public override Dialect Dialect => Dialect.GeminiGenerate;

    /// <summary>Gemini's sampling parameters sit inside generationConfig; the upstream validates them itself.</summary>
    public override IReadOnlyList<(string Name, double Min, double Max)> Ranges => [];

    public override bool ModelInBody => false;

    public override ReadOnlySpan<byte> ModelProperty => "modelVersion"u8;

    public override ReadOnlySpan<byte> UsageProperty => "usageMetadata"u8;

    public override IUsageTap CreateTap(string clientModel, bool clientAskedForUsageChunk, Func<Usage, decimal?>? price) =>
        new GenerateContentUsageTap(clientModel, price);

    public override GatewayError ReadError(int status, byte[] body) => GeminiErrors.Read(status, body);

    public override Usage ReadUsage(ReadOnlySpan<byte> usageJson) => GenerateContentUsageTap.ReadUsage(usageJson);

    public override void WriteErrorJson(GatewayError error, IBufferWriter<byte> output) => GeminiErrors.Write(error, output);
}
