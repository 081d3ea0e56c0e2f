using System.Buffers;
using System.Text.Json;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects.Anthropic;

/// <summary>
/// The passthrough stage for Anthropic streams. Frames are copied byte for byte except
/// <c>message_start</c> (its <c>message.model</c> reported as the id the client asked for) and
/// <c>message_delta</c> (<c>usage.cost</c> added for priced models). Only those two events and
/// <c>error</c> are parsed.
/// </summary>
public sealed class MessagesUsageTap : IUsageTap, IDisposable
{
    private readonly string _clientModel;
    private readonly Func<Usage, decimal?>? _price;
    private readonly PooledBufferWriter _data = PooledBufferWriter.RentOnFirstWrite(1024);
    private readonly JsonTopLevel _topLevel = new();

    public MessagesUsageTap(string clientModel, Func<Usage, decimal?>? price)
    {
        _clientModel = clientModel;
        _price = price;
    }

    public Usage? Usage { get; private set; }

    public bool Completed { get; private set; }

    public GatewayError? Error { get; private set; }

    public void OnFrame(ReadOnlySpan<byte> frame, IBufferWriter<byte> output)
    {
        // The gateway's own error frame must be the last event the client sees (docs/behaviour.md), so
        // nothing after an upstream error (a message_stop, say) is relayed.
        if (Error is not null)
        {
            return;
        }

        if (SseFrameScanner.Data(frame, _data, out var data) == 0)
        {
            Write(output, frame);
            return;
        }

        try
        {
            _topLevel.Rescan(data);
        }
        catch (GatewayException)
        {
            Error = new GatewayError(GatewayErrorKind.UpstreamFailed, "The upstream sent a malformed stream event.") { Code = "upstream_error" };
            return;
        }

        switch (_topLevel.GetString(data, "type"u8))
        {
            case "message_start":
                OnMessageStart(data, output);
                return;
            case "message_delta":
                OnMessageDelta(data, output);
                return;
            case "message_stop":
                Completed = true;
                break;
            case "error":
                Error = ReadError(data);
                return;
        }

        Write(output, frame);
    }

    /// <summary>Anthropic's <c>error</c> event, as its API ends a stream that failed.</summary>
    public void OnFailure(GatewayError error, IBufferWriter<byte> output)
    {
        using var json = new PooledBufferWriter(512);
        AnthropicErrors.Write(error, json);
        SseStreams.Write(output, new SseFrame("error", json.WrittenMemory));
    }

    public void OnEnd(IBufferWriter<byte> output)
    {
    }

    private void OnMessageStart(ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        if (!_topLevel.TryGet(data, "message"u8, out var messageProperty) || messageProperty.ValueKind != JsonTokenType.StartObject)
        {
            WriteEvent(output, "message_start"u8, data);
            return;
        }

        var message = data[messageProperty.Value];
        var messageTop = JsonTopLevel.Scan(message);
        if (messageTop.TryGet(message, "usage"u8, out var usage) && usage.ValueKind == JsonTokenType.StartObject)
        {
            Usage = ReadUsage(message[usage.Value]);
        }

        var editedMessage = new ArrayBufferWriter<byte>(message.Length + 32);
        new JsonTopLevelEditor().SetString("model"u8, _clientModel).WriteTo(message, messageTop, editedMessage);
        var edited = new ArrayBufferWriter<byte>(data.Length + 32);
        new JsonTopLevelEditor().Set("message"u8, editedMessage.WrittenSpan).WriteTo(data, _topLevel, edited);
        WriteEvent(output, "message_start"u8, edited.WrittenSpan);
    }

    private void OnMessageDelta(ReadOnlySpan<byte> data, IBufferWriter<byte> output)
    {
        if (!_topLevel.TryGet(data, "usage"u8, out var usageProperty) || usageProperty.ValueKind != JsonTokenType.StartObject)
        {
            WriteEvent(output, "message_delta"u8, data);
            return;
        }

        // message_delta usage is cumulative; input counts appear there only in newer API versions.
        var usageJson = data[usageProperty.Value];
        UsageWire? delta;
        try
        {
            delta = JsonSerializer.Deserialize(usageJson, AnthropicJsonContext.Default.UsageWire);
        }
        catch (JsonException)
        {
            Error = new GatewayError(GatewayErrorKind.UpstreamFailed, "The upstream sent a malformed stream event.") { Code = "upstream_error" };
            return;
        }

        var previous = Usage ?? Usage.Empty;
        Usage = previous with
        {
            InputTokens = delta?.InputTokens ?? previous.InputTokens,
            OutputTokens = delta?.OutputTokens ?? previous.OutputTokens,
            CacheReadTokens = delta?.CacheReadInputTokens ?? previous.CacheReadTokens,
            CacheWriteTokens = delta?.CacheCreationInputTokens ?? previous.CacheWriteTokens,
            WebSearchCalls = delta?.ServerToolUse?.WebSearchRequests ?? previous.WebSearchCalls,
        };

        if (_price?.Invoke(Usage) is not decimal cost)
        {
            WriteEvent(output, "message_delta"u8, data);
            return;
        }

        Usage = Usage with { Cost = cost };
        var edited = new ArrayBufferWriter<byte>(data.Length + 32);
        new JsonTopLevelEditor().SetWithNumber("usage"u8, usageJson, "cost"u8, cost).WriteTo(data, _topLevel, edited);
        WriteEvent(output, "message_delta"u8, edited.WrittenSpan);
    }

    private static GatewayError ReadError(ReadOnlySpan<byte> data)
    {
        try
        {
            var envelope = JsonSerializer.Deserialize(data, AnthropicJsonContext.Default.StreamEventWire);
            return AnthropicErrors.FromType(502, envelope?.Error?.Type, envelope?.Error?.Message);
        }
        catch (JsonException)
        {
            // An error event in a shape we cannot read is still the end of the stream.
            return AnthropicErrors.FromType(502, type: null, message: null);
        }
    }

    private static Usage ReadUsage(ReadOnlySpan<byte> usageJson)
    {
        try
        {
            return MessagesMapping.ToCanonical(JsonSerializer.Deserialize(usageJson, AnthropicJsonContext.Default.UsageWire));
        }
        catch (JsonException)
        {
            return Usage.Empty;
        }
    }

    /// <summary>Reads an Anthropic usage object (non-streamed answers) into disjoint buckets.</summary>
    public static Usage ReadMessageUsage(ReadOnlySpan<byte> usageJson) => ReadUsage(usageJson);

    private static void WriteEvent(IBufferWriter<byte> output, ReadOnlySpan<byte> type, ReadOnlySpan<byte> data) =>
        SseStreams.WriteEvent(output, type, data, "\n"u8);

    private static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }

    public void Dispose() => _data.Dispose();
}
