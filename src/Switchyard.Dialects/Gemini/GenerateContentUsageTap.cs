using System.Buffers;
using System.Text.Json;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects.Gemini;

/// <summary>
/// The passthrough stage for Gemini streams: each chunk is relayed with its <c>modelVersion</c>
/// reported as the id the client asked for and <c>usageMetadata.cost</c> added for priced models;
/// the tap reads <c>usageMetadata</c> and notices the finish reason.
/// </summary>
public sealed class GenerateContentUsageTap : IUsageTap, IDisposable
{
    private readonly string _clientModel;
    private readonly Func<Usage, decimal?>? _price;
    private readonly PooledBufferWriter _data = PooledBufferWriter.RentOnFirstWrite(1024);
    private readonly PooledBufferWriter _edited = PooledBufferWriter.RentOnFirstWrite(1024);
    private readonly JsonTopLevel _topLevel = new();

    public GenerateContentUsageTap(string clientModel, Func<Usage, decimal?>? price)
    {
        _clientModel = clientModel;
        _price = price;
    }

    public Usage? Usage { get; private set; }

    public bool Completed { get; private set; }

    public GatewayError? Error { get; private set; }

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

        try
        {
            _topLevel.Rescan(data);
        }
        catch (GatewayException)
        {
            Error = new GatewayError(GatewayErrorKind.UpstreamFailed, "The upstream sent a malformed stream chunk.") { Code = "upstream_error" };
            return;
        }

        if (_topLevel.TryGet(data, "error"u8, out _))
        {
            Error = GeminiErrors.ReadChunk(data);
            return;
        }

        var editor = new JsonTopLevelEditor();
        if (_topLevel.TryGet(data, "usageMetadata"u8, out var usage) && usage.ValueKind == JsonTokenType.StartObject)
        {
            var usageJson = data[usage.Value];
            Usage = ReadUsage(usageJson);
            if (_price?.Invoke(Usage) is decimal cost)
            {
                Usage = Usage with { Cost = cost };
                editor.SetWithNumber("usageMetadata"u8, usageJson, "cost"u8, cost);
            }
        }

        if (_topLevel.TryGet(data, "modelVersion"u8, out _))
        {
            editor.SetString("modelVersion"u8, _clientModel);
        }

        if (_topLevel.TryGet(data, "candidates"u8, out var candidates) && HasFinishReason(data[candidates.Value]))
        {
            Completed = true;
        }

        if (!editor.HasEdits)
        {
            Write(output, frame);
            return;
        }

        _edited.Clear();
        editor.WriteTo(data, _topLevel, _edited);
        SseStreams.WriteEvent(output, [], _edited.WrittenSpan, "\r\n"u8);
    }

    /// <summary>Gemini's error object as a last data frame, as its API ends a stream that failed.</summary>
    public void OnFailure(GatewayError error, IBufferWriter<byte> output)
    {
        using var json = new PooledBufferWriter(512);
        GeminiErrors.Write(error, json);
        SseStreams.Write(output, SseFrame.FromData(json.WrittenMemory));
    }

    public void OnEnd(IBufferWriter<byte> output)
    {
    }

    /// <summary>Reads a <c>usageMetadata</c> object into disjoint buckets.</summary>
    public static Usage ReadUsage(ReadOnlySpan<byte> usageJson)
    {
        try
        {
            var reader = new Utf8JsonReader(usageJson);
            return GenerateContentMapping.ToCanonical(JsonSerializer.Deserialize(ref reader, GeminiJsonContext.Default.UsageMetadataWire));
        }
        catch (JsonException)
        {
            return Usage.Empty;
        }
    }

    private static bool HasFinishReason(ReadOnlySpan<byte> candidates)
    {
        var reader = new Utf8JsonReader(candidates);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 2 && reader.ValueTextEquals("finishReason"u8))
            {
                reader.Read();
                return reader.TokenType == JsonTokenType.String;
            }
        }

        return false;
    }

    private static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }

    public void Dispose()
    {
        _data.Dispose();
        _edited.Dispose();
    }
}
