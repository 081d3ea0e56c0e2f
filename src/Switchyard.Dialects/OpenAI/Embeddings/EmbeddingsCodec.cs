using System.Buffers;
using System.Runtime.InteropServices;
using System.Text.Json;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;

namespace Switchyard.Dialects.OpenAI.Embeddings;

/// <summary>OpenAI <c>/v1/embeddings</c> (https://platform.openai.com/docs/api-reference/embeddings) to and from the neutral embedding types.</summary>
public static class EmbeddingsCodec
{
    public static EmbeddingRequest ReadRequest(ReadOnlySpan<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            var root = document.RootElement;
            var model = root.TryGetProperty("model", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString()! : throw GatewayException.InvalidRequest("'model' is required.", "model");
            var inputs = root.TryGetProperty("input", out var input) ? input.ValueKind switch
            {
                JsonValueKind.String => [input.GetString()!],
                JsonValueKind.Array when input.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String) => input.EnumerateArray().Select(e => e.GetString()!).ToList(),
                _ => throw GatewayException.InvalidRequest("'input' must be a string or an array of strings when the model is not an OpenAI-compatible one.", "input"),
            }
            : throw GatewayException.InvalidRequest("'input' is required.", "input");
            return new EmbeddingRequest
            {
                Model = model,
                Inputs = inputs,
                Dimensions = root.TryGetProperty("dimensions", out var d) && d.TryGetInt32(out var dimensions) ? dimensions : null,
                Base64 = root.TryGetProperty("encoding_format", out var f) && f.ValueKind == JsonValueKind.String && f.GetString() == "base64",
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

    public static void WriteRequest(EmbeddingRequest request, string upstreamModel, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, JsonWire.WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("model"u8, upstreamModel);
        writer.WriteStartArray("input"u8);
        foreach (var input in request.Inputs)
        {
            writer.WriteStringValue(input);
        }

        writer.WriteEndArray();
        if (request.Dimensions is int dimensions)
        {
            writer.WriteNumber("dimensions"u8, dimensions);
        }

        writer.WriteString("encoding_format"u8, "float"u8);
        writer.WriteEndObject();
    }

    public static EmbeddingResponse ReadResponse(ReadOnlySpan<byte> body)
    {
        try
        {
            using var document = JsonDocument.Parse(body.ToArray());
            var root = document.RootElement;
            var vectors = root.GetProperty("data").EnumerateArray()
                .OrderBy(item => item.TryGetProperty("index", out var index) ? index.GetInt32() : 0)
                .Select(item => item.GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle()).ToArray())
                .ToList();
            var prompt = root.TryGetProperty("usage", out var usage) && usage.TryGetProperty("prompt_tokens", out var tokens) ? tokens.GetInt64() : 0;
            return new EmbeddingResponse
            {
                Vectors = vectors,
                Model = root.TryGetProperty("model", out var model) ? model.GetString() ?? string.Empty : string.Empty,
                Usage = new Usage { InputTokens = prompt },
            };
        }
        catch (Exception exception) when (exception is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
        {
            throw new GatewayException(new GatewayError(GatewayErrorKind.UpstreamFailed, "The upstream sent a malformed embeddings response.") { Code = "upstream_error" });
        }
    }

    public static void WriteResponse(EmbeddingResponse response, bool base64, IBufferWriter<byte> output)
    {
        using var writer = new Utf8JsonWriter(output, JsonWire.WriterOptions);
        writer.WriteStartObject();
        writer.WriteString("object"u8, "list"u8);
        writer.WriteStartArray("data"u8);
        for (var i = 0; i < response.Vectors.Count; i++)
        {
            writer.WriteStartObject();
            writer.WriteString("object"u8, "embedding"u8);
            writer.WriteNumber("index"u8, i);
            if (base64)
            {
                // OpenAI's base64 form: the float32 values, little-endian, base64-encoded.
                writer.WriteBase64String("embedding"u8, MemoryMarshal.AsBytes(response.Vectors[i].AsSpan()));
            }
            else
            {
                writer.WriteStartArray("embedding"u8);
                foreach (var value in response.Vectors[i])
                {
                    writer.WriteNumberValue(value);
                }

                writer.WriteEndArray();
            }

            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        writer.WriteString("model"u8, response.Model);
        writer.WriteStartObject("usage"u8);
        writer.WriteNumber("prompt_tokens"u8, response.Usage.TotalInputTokens);
        writer.WriteNumber("total_tokens"u8, response.Usage.TotalInputTokens);
        if (response.Usage.Cost is decimal cost)
        {
            writer.WriteNumber("cost"u8, cost);
        }

        writer.WriteEndObject();
        writer.WriteEndObject();
    }
}
