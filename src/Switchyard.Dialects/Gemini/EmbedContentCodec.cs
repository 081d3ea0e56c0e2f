using System.Buffers;
using System.Text.Json;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;

namespace Switchyard.Dialects.Gemini;

/// <summary>
/// Gemini <c>:embedContent</c> and <c>:batchEmbedContents</c> (https://ai.google.dev/api/embeddings)
/// to and from the neutral embedding types. Each content's text parts are joined into one input.
/// </summary>
public static class EmbedContentCodec
{
    public static EmbeddingRequest ReadRequest(ReadOnlySpan<byte> body, string model, bool batch)
    {
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            var root = document.RootElement;
            var requests = batch
                ? root.ValueKind == JsonValueKind.Object && root.TryGetProperty("requests", out var list) && list.ValueKind == JsonValueKind.Array ? list.EnumerateArray().ToList() : throw GatewayException.InvalidRequest("requests is required", "requests")
                : [root];
            var first = requests.FirstOrDefault();
            return new EmbeddingRequest
            {
                Model = model,
                Inputs = requests.Select(r => Text(r)).ToList(),
                Dimensions = first.ValueKind == JsonValueKind.Object && first.TryGetProperty("outputDimensionality", out var d) && d.TryGetInt32(out var dims) ? dims : null,
                TaskType = first.ValueKind == JsonValueKind.Object && first.TryGetProperty("taskType", out var t) ? t.GetString() : null,
            };
        }
        catch (JsonException)
        {
            throw GatewayException.InvalidRequest("The request body is not valid JSON.");
        }
        catch (Exception exception) when (JsonErrors.IsValueError(exception))
        {
            throw JsonErrors.ValueError(exception);
        }
    }

    private static string Text(JsonElement request)
    {
        if (request.ValueKind != JsonValueKind.Object || !request.TryGetProperty("content", out var content) || content.ValueKind != JsonValueKind.Object
            || !content.TryGetProperty("parts", out var parts) || parts.ValueKind != JsonValueKind.Array)
        {
            throw GatewayException.InvalidRequest("content.parts is required", "content");
        }

        return string.Concat(parts.EnumerateArray().Select(p =>
            p.ValueKind == JsonValueKind.Object && p.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String ? text.GetString() : null));
    }

    /// <summary>Always the batch form upstream, so one request serves any number of inputs.</summary>
    public static void WriteRequest(EmbeddingRequest request, string upstreamModel, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, JsonWire.WriterOptions);
        writer.WriteStartObject();
        writer.WriteStartArray("requests"u8);
        foreach (var input in request.Inputs)
        {
            writer.WriteStartObject();
            writer.WriteString("model"u8, "models/" + upstreamModel);
            writer.WriteStartObject("content"u8);
            writer.WriteStartArray("parts"u8);
            writer.WriteStartObject();
            writer.WriteString("text"u8, input);
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WriteEndObject();
            if (request.TaskType is { } taskType)
            {
                writer.WriteString("taskType"u8, taskType);
            }

            if (request.Dimensions is int dimensions)
            {
                writer.WriteNumber("outputDimensionality"u8, dimensions);
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    /// <summary>Reads a batch answer (<c>{"embeddings":[{"values":[…]}]}</c>) or a single one (<c>{"embedding":{…}}</c>).</summary>
    public static EmbeddingResponse ReadResponse(ReadOnlySpan<byte> body, string model)
    {
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            var root = document.RootElement;
            var items = root.TryGetProperty("embeddings", out var many) ? many.EnumerateArray().ToList() : [root.GetProperty("embedding")];
            return new EmbeddingResponse
            {
                Vectors = items.Select(e => e.GetProperty("values").EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToList(),
                Model = model,
            };
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new GatewayException(new GatewayError(GatewayErrorKind.UpstreamFailed, "The upstream sent a malformed embeddings response.") { Code = "upstream_error" });
        }
    }

    public static void WriteResponse(EmbeddingResponse response, bool batch, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, JsonWire.WriterOptions);
        writer.WriteStartObject();
        if (batch)
        {
            writer.WriteStartArray("embeddings"u8);
            foreach (var vector in response.Vectors)
            {
                WriteValues(writer, vector);
            }

            writer.WriteEndArray();
        }
        else
        {
            writer.WritePropertyName("embedding"u8);
            WriteValues(writer, response.Vectors.FirstOrDefault() ?? []);
        }

        writer.WriteEndObject();
    }

    private static void WriteValues(Utf8JsonWriter writer, float[] vector)
    {
        writer.WriteStartObject();
        writer.WriteStartArray("values"u8);
        foreach (var value in vector)
        {
            writer.WriteNumberValue(value);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
