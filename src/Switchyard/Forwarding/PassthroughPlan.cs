using System.Globalization;
using System.Text;
using System.Text.Json;
using Switchyard.Dialects;
using Switchyard.Dialects.Json;

namespace Switchyard.Forwarding;

/// <summary>
/// The top-level edits a body needs on its way to an upstream of its own dialect, worked out once
/// per request: gateway-only fields removed, out-of-range numbers clamped (and reported), and for
/// OpenAI streams <c>stream_options.include_usage</c> forced on. The model name is set per
/// attempt, since each deployment may name the model differently.
/// </summary>
internal sealed class PassthroughPlan
{
    private readonly JsonTopLevelEditor _edits;
    private readonly bool _modelInBody;

    private PassthroughPlan(JsonTopLevelEditor edits, bool modelInBody)
    {
        _edits = edits;
        _modelInBody = modelInBody;
    }

    /// <summary>The client set <c>stream_options.include_usage</c> itself and wants usage as its own chunk.</summary>
    public bool ClientAskedForUsageChunk { get; private init; }

    /// <summary>The client's <c>metadata</c>, echoed on the answer.</summary>
    public byte[]? Metadata { get; private init; }

    // Longer than any documented parameter's name (the longest, "max_completion_tokens", is 21).
    internal const int MaxRangeNameBytes = 64;

    public static PassthroughPlan Prepare(ReadOnlySpan<byte> body, JsonTopLevel topLevel, bool stream, ParamAdjustments adjustments, IPassthrough dialect)
    {
        adjustments.Strict = topLevel.GetBoolean(body, "strict_params"u8) == true;
        var clientAskedForUsage = false;
        byte[]? metadata = null;
        var edits = new JsonTopLevelEditor();
        if (topLevel.TryGet(body, "strict_params"u8, out _))
        {
            edits.Remove("strict_params"u8);
        }

        // Every request looks up each range's name: in UTF-8 on the stack (an edit copies it).
        var ranges = dialect.Ranges;
        Span<byte> utf8 = stackalloc byte[MaxRangeNameBytes];
        for (var i = 0; i < ranges.Count; i++)
        {
            var (name, min, max) = ranges[i];
            var nameBytes = utf8[..Encoding.UTF8.GetBytes(name, utf8)];
            if (topLevel.GetNumber(body, nameBytes) is not double value)
            {
                continue;
            }

            var clamped = Math.Clamp(value, min, max);
            if (clamped != value)
            {
                adjustments.Clamped(name, value, clamped);
                edits.Set(nameBytes, Encoding.UTF8.GetBytes(clamped.ToString("R", CultureInfo.InvariantCulture)));
            }
        }

        if (stream && dialect.ForcesStreamUsage)
        {
            if (topLevel.TryGet(body, "stream_options"u8, out var options) && options.ValueKind == JsonTokenType.StartObject)
            {
                var inner = body[options.Value];
                var innerTop = JsonTopLevel.Scan(inner);
                clientAskedForUsage = innerTop.GetBoolean(inner, "include_usage"u8) == true;
                if (!clientAskedForUsage)
                {
                    var edited = new System.Buffers.ArrayBufferWriter<byte>(inner.Length + 24);
                    new JsonTopLevelEditor().Set("include_usage"u8, "true"u8).WriteTo(inner, innerTop, edited);
                    edits.Set("stream_options"u8, edited.WrittenSpan);
                }
            }
            else
            {
                edits.Set("stream_options"u8, """{"include_usage":true}"""u8);
            }
        }

        if (dialect.EchoesMetadata && topLevel.TryGet(body, "metadata"u8, out var meta) && meta.ValueKind == JsonTokenType.StartObject)
        {
            metadata = body[meta.Value].ToArray();
        }

        return new PassthroughPlan(edits, dialect.ModelInBody) { ClientAskedForUsageChunk = clientAskedForUsage, Metadata = metadata };
    }

    /// <summary>Writes the upstream body for a deployment, or returns false when the client's bytes can go as they are.</summary>
    public bool TryRewrite(ReadOnlySpan<byte> body, JsonTopLevel topLevel, string clientModel, string upstreamModel, PooledBufferWriter output)
    {
        var renamed = _modelInBody && clientModel != upstreamModel;
        if (!_edits.HasEdits && !renamed)
        {
            return false;
        }

        var edits = _edits.Clone();
        if (renamed)
        {
            edits.SetString("model"u8, upstreamModel);
        }

        edits.WriteTo(body, topLevel, output);
        return true;
    }
}
