using System.Buffers;
using System.Text.Json;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects.OpenAI.Responses;

/// <summary>
/// The passthrough stage for Responses streams. Frames are copied byte for byte except the events
/// that carry the response object (<c>response.created</c>, <c>.in_progress</c>, <c>.completed</c>,
/// <c>.incomplete</c>, <c>.failed</c>): their <c>response.model</c> is reported as the id the client
/// asked for and <c>response.usage.cost</c> is added for priced models.
/// </summary>
public sealed class ResponsesUsageTap : IUsageTap, IDisposable
{
    private readonly string _clientModel;
    private readonly Func<Usage, decimal?>? _price;
    private readonly PooledBufferWriter _data = new(1024);
    private readonly JsonTopLevel _topLevel = new();

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

    public void OnFrame(ReadOnlySpan<byte> frame, IBufferWriter<byte> output)
    {
        if (Error is not null)
        {
            return;
        }

        _data.Clear();
        if (SseFrameScanner.ReadData(frame, _data) == 0)
        {
            Write(output, frame);
            return;
        }

        var data = _data.WrittenSpan;
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
                var wire = JsonSerializer.Deserialize(data, ResponsesJsonContext.Default.ResponsesEventWire);
                Error = UpstreamErrors.FromStatus(wire?.Code == "rate_limit_exceeded" ? 429 : 502, wire?.Message);
                return;
            case "response.created" or "response.in_progress" or "response.completed" or "response.incomplete" or "response.failed":
                if (_topLevel.TryGet(data, "response"u8, out var response) && response.ValueKind == JsonTokenType.StartObject)
                {
                    var edited = EditResponse(data[response.Value], final: type is not ("response.created" or "response.in_progress"));
                    Completed |= type is "response.completed" or "response.incomplete";
                    if (type == "response.failed")
                    {
                        Error = UpstreamErrors.FromStatus(502, null);
                    }

                    var chunk = new ArrayBufferWriter<byte>(data.Length + 64);
                    new JsonTopLevelEditor().Set("response"u8, edited).WriteTo(data, _topLevel, chunk);
                    Write(output, "event: "u8);
                    Write(output, System.Text.Encoding.UTF8.GetBytes(type));
                    Write(output, "\ndata: "u8);
                    Write(output, chunk.WrittenSpan);
                    Write(output, "\n\n"u8);
                    return;
                }

                break;
        }

        Write(output, frame);
    }

    public void OnEnd(IBufferWriter<byte> output)
    {
    }

    private byte[] EditResponse(ReadOnlySpan<byte> response, bool final)
    {
        var topLevel = JsonTopLevel.Scan(response);
        ResponseId ??= topLevel.GetString(response, "id"u8);
        var editor = new JsonTopLevelEditor().SetString("model"u8, _clientModel);
        if (final && topLevel.TryGet(response, "usage"u8, out var usage) && usage.ValueKind == JsonTokenType.StartObject)
        {
            Usage = ReadUsage(response[usage.Value]);
            if (_price?.Invoke(Usage) is decimal cost)
            {
                Usage = Usage with { Cost = cost };
                editor.Set("usage"u8, JsonTopLevelEditor.WithNumber(response[usage.Value], "cost"u8, cost));
            }
        }

        var output = new ArrayBufferWriter<byte>(response.Length + 64);
        editor.WriteTo(response, topLevel, output);
        if (final)
        {
            FinalResponse = output.WrittenSpan.ToArray();
        }

        return output.WrittenSpan.ToArray();
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
