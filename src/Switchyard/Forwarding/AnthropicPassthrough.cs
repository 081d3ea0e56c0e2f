using System.Buffers;
using Switchyard.Dialects;
using Switchyard.Dialects.Anthropic;
using Switchyard.Dialects.Canonical;

namespace Switchyard.Forwarding;

/// <summary>Passthrough rules for Anthropic upstreams.</summary>
public sealed class AnthropicPassthrough : PassthroughDialect
{
    public static AnthropicPassthrough Instance { get; } = new();

    public override Dialect Dialect => Dialect.AnthropicMessages;

    /// <summary>https://docs.anthropic.com/en/api/messages: temperature and top_p range over 0..1.</summary>
    public override IReadOnlyList<(string Name, double Min, double Max)> Ranges { get; } =
    [
        ("temperature", 0, 1),
        ("top_p", 0, 1),
        ("max_tokens", 1, int.MaxValue),
    ];

    public override IUsageTap CreateTap(string clientModel, bool clientAskedForUsageChunk, Func<Usage, decimal?>? price) =>
        new MessagesUsageTap(clientModel, price);

    public override GatewayError ReadError(int status, byte[] body) => AnthropicErrors.Read(status, body);

    public override Usage ReadUsage(ReadOnlySpan<byte> usageJson) => MessagesUsageTap.ReadMessageUsage(usageJson);

    public override void WriteErrorJson(GatewayError error, IBufferWriter<byte> output) => AnthropicErrors.Write(error, output);

    protected override string? ErrorEventType => "error";
}
