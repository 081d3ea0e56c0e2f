using System.Buffers;
using System.Text.Json;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects.OpenAI.Responses;

/// <summary>
/// The passthrough stage for Responses streams. Frames are copied byte for byte except the events
/// that carry the response object (<c>response.created</c>, <c>.in_progress</c>, <c>.completed</c>,
/// <c>.incomplete</c>): their <c>response.model</c> is reported as the id the client asked for and
/// <c>response.usage.cost</c> is added for priced models. <c>error</c> and <c>response.failed</c> are
/// held back and reported as <see cref="Error"/>.
/// </summary>
public sealed class ResponsesUsageTap : IUsageTap, IDisposable
{
    private readonly string _clientModel;
    private readonly Func<Usage, decimal?>? _price;
    private readonly PooledBufferWriter _data = PooledBufferWriter.RentOnFirstWrite(1024);
    private readonly JsonTopLevel _topLevel = new();
    private long _lastSequence = -1;
    private long _createdAt;

    public ResponsesUsageTap(string clientModel, Func<Usage, decimal?>? price)
    {
        _clientModel = clientModel;
        _price = price;
    }

    public Usage? Usage { get; private set; }

    public bool Completed { get; private set; }

    public GatewayError? Error { get; private set; }

    /// <summary>The upstream's response id, from <c>response.created</c>.</summary>
    public string? ResponseId { get; private set; }

    /// <summary>The final response object as relayed (for the gateway's conversation store).</summary>
    public byte[]? FinalResponse { get; private set; }

    /// <summary>Called once with <see cref="FinalResponse"/> when the stream's terminal event is relayed.</summary>
    public Action<byte[]>? OnFinalAnswer { get; init; }

    public void OnFrame(ReadOnlySpan<byte> frame, IBufferWriter<byte> output)
    {
        if (Error is not null)
        {
            return;
        }

        if (SseFrameScanner.Data(frame, _data, out var data) == 0)
        {
            Write(output, frame);
            return;
        }

        string? type;
        try
        {
            _topLevel.Rescan(data);
            type = _topLevel.GetString(data, "type"u8);
        }
        catch (GatewayException)
        {
            Error = new GatewayError(GatewayErrorKind.UpstreamFailed, "The upstream sent a malformed stream event.") { Code = "upstream_error" };
            return;
        }

        switch (type)
        {
            case "error":
                var wire = ReadEvent(data);
                Error = UpstreamErrors.FromStatus(wire?.Code == "rate_limit_exceeded" ? 429 : 502, wire?.Message);
                return;
            case "response.failed":
                // Held back like an error event (see IUsageTap.Error): the stream ends with the
                // gateway's own response.failed (WriteFailure), so the client never sees two.
                Error = UpstreamErrors.FromStatus(502, ReadEvent(data)?.Response?.Error?.Message);
                return;
            case "response.created" or "response.in_progress" or "response.completed" or "response.incomplete":
                if (_topLevel.TryGet(data, "response"u8, out var response) && response.ValueKind == JsonTokenType.StartObject)
                {
                    var edited = EditResponse(data[response.Value], final: type is not ("response.created" or "response.in_progress"));
                    RememberSequence(data);
                    Completed |= type is "response.completed" or "response.incomplete";
                    var chunk = new ArrayBufferWriter<byte>(data.Length + 64);
                    new JsonTopLevelEditor().Set("response"u8, edited).WriteTo(data, _topLevel, chunk);
                    SseStreams.WriteEvent(output, System.Text.Encoding.UTF8.GetBytes(type), chunk.WrittenSpan, "\n"u8);
                    return;
                }

                break;
        }

        RememberSequence(data);
        Write(output, frame);
    }

    /// <summary>
    /// The <c>response.failed</c> event that ends a relayed stream in error (docs/behaviour.md): numbered
    /// after the last event relayed and naming the response the client was told about.
    /// </summary>
    public void OnFailure(GatewayError error, IBufferWriter<byte> output)
    {
        var data = new ArrayBufferWriter<byte>(512);
        using (var writer = new Utf8JsonWriter(data, JsonWire.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("type"u8, "response.failed"u8);
            writer.WriteNumber("sequence_number"u8, _lastSequence + 1);
            writer.WritePropertyName("response"u8);
            var createdAt = _createdAt > 0 ? _createdAt : DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            ResponseObjectWriter.Write(writer, ResponseId ?? ResponseIds.New(), _clientModel, createdAt, "failed", [], usage: null, metadata: null, error: error);
            writer.WriteEndObject();
        }

        SseStreams.Write(output, new SseFrame("response.failed", data.WrittenMemory));
    }

    public void OnEnd(IBufferWriter<byte> output)
    {
    }

    private void RememberSequence(ReadOnlySpan<byte> data)
    {
        if (_topLevel.GetNumber(data, "sequence_number"u8) is double sequence)
        {
            _lastSequence = (long)sequence;
        }
    }

    private static ResponsesEventWire? ReadEvent(ReadOnlySpan<byte> data)
    {
        try
        {
            return JsonSerializer.Deserialize(data, ResponsesJsonContext.Default.ResponsesEventWire);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private byte[] EditResponse(ReadOnlySpan<byte> response, bool final)
    {
        var topLevel = JsonTopLevel.Scan(response);
        ResponseId ??= topLevel.GetString(response, "id"u8);
        if (_createdAt == 0 && topLevel.GetNumber(response, "created_at"u8) is double createdAt)
        {
            _createdAt = (long)createdAt;
        }

        var editor = new JsonTopLevelEditor().SetString("model"u8, _clientModel);
        if (final && topLevel.TryGet(response, "usage"u8, out var usage) && usage.ValueKind == JsonTokenType.StartObject)
        {
            Usage = ReadUsage(response[usage.Value]) with { WebSearchCalls = CountWebSearchCalls(response, topLevel) };
            if (_price?.Invoke(Usage) is decimal cost)
            {
                Usage = Usage with { Cost = cost };
                editor.SetWithNumber("usage"u8, response[usage.Value], "cost"u8, cost);
            }
        }

        var output = new ArrayBufferWriter<byte>(response.Length + 64);
        editor.WriteTo(response, topLevel, output);
        if (final)
        {
            FinalResponse = output.WrittenSpan.ToArray();
            OnFinalAnswer?.Invoke(FinalResponse);
        }

        return output.WrittenSpan.ToArray();
    }

    /// <summary>The hosted web searches of a response object: its <c>web_search_call</c> output items (billed per call, absent from usage).</summary>
    public static long CountWebSearchCalls(ReadOnlySpan<byte> response, JsonTopLevel topLevel)
    {
        if (!topLevel.TryGet(response, "output"u8, out var output) || output.ValueKind != JsonTokenType.StartArray)
        {
            return 0;
        }

        long calls = 0;
        var reader = new Utf8JsonReader(response[output.Value]);
        while (reader.Read())
        {
            // Items are the objects one level into the array; only their own "type" counts.
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 2 && reader.ValueTextEquals("type"u8))
            {
                reader.Read();
                calls += reader.ValueTextEquals("web_search_call"u8) ? 1 : 0;
            }
        }

        return calls;
    }

    /// <summary>Reads a Responses usage object into disjoint buckets.</summary>
    public static Usage ReadUsage(ReadOnlySpan<byte> usageJson)
    {
        try
        {
            var reader = new Utf8JsonReader(usageJson);
            return ResponsesMapping.ToCanonical(JsonSerializer.Deserialize(ref reader, ResponsesJsonContext.Default.ResponsesUsageWire));
        }
        catch (JsonException)
        {
            return Usage.Empty;
        }
    }

    private static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }

    public void Dispose() => _data.Dispose();
}
