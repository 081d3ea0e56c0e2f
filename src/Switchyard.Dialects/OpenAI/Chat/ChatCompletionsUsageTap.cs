using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.Sse;

namespace Switchyard.Dialects.OpenAI.Chat;

/// <summary>
/// The passthrough stage for Chat Completions answers. It copies frames byte for byte except for
/// the few top-level edits the contract requires: <c>model</c> reported as the id the client
/// asked for, <c>usage.cost</c> added for priced models, and usage folded into the finish chunk
/// when the gateway (not the client) asked the upstream for <c>include_usage</c> (docs/behaviour.md).
/// It parses only the top level of each chunk and reads <c>usage</c> where it appears.
/// </summary>
public sealed class ChatCompletionsUsageTap : IUsageTap, ITextCountingTap, IDisposable
{
    private static readonly byte[] ModelName = "model"u8.ToArray();

    private readonly byte[] _clientModel;
    private readonly string _clientModelText;
    private readonly bool _clientAskedForUsageChunk;
    private readonly Func<Usage, decimal?>? _price;
    private readonly JsonTopLevel _topLevel = new();
    private readonly PooledBufferWriter _data = PooledBufferWriter.RentOnFirstWrite(1024);
    private readonly PooledBufferWriter _scratch = PooledBufferWriter.RentOnFirstWrite(1024);
    private readonly JsonTopLevelEditor _editor = new();
    private byte[]? _heldFinishChunk;

    public ChatCompletionsUsageTap(string clientModel, bool clientAskedForUsageChunk, Func<Usage, decimal?>? price)
    {
        _clientModelText = clientModel;
        var quoted = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(quoted, JsonWire.WriterOptions))
        {
            writer.WriteStringValue(clientModel);
        }

        _clientModel = quoted.WrittenSpan.ToArray();
        _clientAskedForUsageChunk = clientAskedForUsageChunk;
        _price = price;
    }

    /// <summary>The latest usage the upstream reported, with its cost.</summary>
    public Usage? Usage { get; private set; }

    /// <summary>A choice carried a finish reason: the answer is complete.</summary>
    public bool Finished { get; private set; }

    public bool SawDone { get; private set; }

    public bool Completed => Finished || SawDone;

    /// <summary>
    /// The upstream sent an in-stream error frame or a malformed one. Neither is relayed, nor is
    /// anything after it, so the caller's own error frame ends the stream (docs/behaviour.md).
    /// </summary>
    public GatewayError? Error { get; private set; }

    /// <summary>Characters of text in the choices of the chunks relayed so far (<see cref="RelayedText"/>), counted while they are inspected.</summary>
    public long TextCharacters { get; private set; }

    /// <summary>Frames relayed so far (comments excluded); zero means nothing has reached the client.</summary>
    public int FramesWritten { get; private set; }

    public void OnFrame(ReadOnlySpan<byte> frame, IBufferWriter<byte> output)
    {
        // Some servers (vLLM) send data: [DONE] after their error frame; it must not reach the client.
        if (Error is not null)
        {
            return;
        }

        if (SseFrameScanner.Data(frame, _data, out var data) == 0)
        {
            Write(output, frame);
            return;
        }

        if (data.SequenceEqual("[DONE]"u8))
        {
            SawDone = true;
            FlushHeld(output);
            WriteData(output, data);
            return;
        }

        var inspected = new ChoicesInspector();
        try
        {
            _topLevel.Rescan(data, ref inspected);
        }
        catch (GatewayException)
        {
            Error = new GatewayError(GatewayErrorKind.UpstreamFailed, "The upstream sent a malformed stream frame.") { Code = "upstream_error" };
            return;
        }

        var members = ChunkMembers.Find(data, _topLevel.Properties);
        if (members.Error >= 0)
        {
            Error = OpenAIErrors.Read(502, data);
            return;
        }

        var editor = _editor;
        editor.Clear();
        var hasUsage = false;
        var costAdded = false;
        if (members.Usage >= 0 && _topLevel.Properties[members.Usage] is { ValueKind: JsonTokenType.StartObject } usage)
        {
            hasUsage = true;
            var usageBytes = data[usage.Value];
            Usage = ReadUsage(usageBytes);
            if (_price?.Invoke(Usage) is decimal cost)
            {
                Usage = Usage with { Cost = cost };
                editor.SetWithNumber("usage"u8, usageBytes, "cost"u8, cost);
                costAdded = true;
            }
        }

        var model = members.Model >= 0 ? _topLevel.Properties[members.Model] : default;
        if (members.Model >= 0 && !data[model.Value].SequenceEqual(_clientModel))
        {
            editor.SetShared(ModelName, _clientModel);
        }

        var choicesEmpty = true;
        var finishes = false;
        if (members.Choices >= 0 && _topLevel.Properties[members.Choices] is { ValueKind: JsonTokenType.StartArray } choices)
        {
            // Inspected during the scan unless its name was escaped or a duplicate came first.
            var (empty, finishing, text) = inspected.Seen && inspected.ValueStart == choices.ValueStart
                ? (inspected.Empty, inspected.Finishes, inspected.Text)
                : InspectChoices(data[choices.Value]);
            choicesEmpty = empty;
            finishes = finishing;
            TextCharacters += text;
        }

        Finished |= finishes;
        if (!_clientAskedForUsageChunk && choicesEmpty && hasUsage && _heldFinishChunk is not null)
        {
            // The usage-only chunk the gateway asked for: fold it into the held finish chunk.
            _scratch.Clear();
            editor.WriteTo(data, _topLevel, _scratch);
            var usageValue = ExtractUsage(_scratch.WrittenSpan);
            MergeUsageIntoHeld(usageValue);
            FlushHeld(output);
            return;
        }

        if (!_clientAskedForUsageChunk && finishes && !hasUsage)
        {
            _scratch.Clear();
            if (editor.HasEdits)
            {
                editor.WriteTo(data, _topLevel, _scratch);
            }
            else
            {
                _scratch.Write(data);
            }

            FlushHeld(output);
            _heldFinishChunk = _scratch.WrittenSpan.ToArray();
            return;
        }

        if (!editor.HasEdits)
        {
            Write(output, frame);
            FramesWritten++;
            return;
        }

        Write(output, "data: "u8);
        if (members.Model >= 0 && !costAdded && !members.ModelTwice)
        {
            // The usual edit, the model alone: the chunk around its value goes out as it came.
            SseStreams.WriteDataPart(output, data[..model.ValueStart], "\n"u8);
            Write(output, _clientModel);
            SseStreams.WriteDataPart(output, data[model.End..], "\n"u8);
        }
        else
        {
            _scratch.Clear();
            editor.WriteTo(data, _topLevel, _scratch);
            SseStreams.WriteDataPart(output, _scratch.WrittenSpan, "\n"u8);
        }

        Write(output, "\n\n"u8);
        FramesWritten++;
    }

    public void OnEnd(IBufferWriter<byte> output) => FlushHeld(output);

    /// <summary>An <c>{"error": …}</c> data frame, as OpenAI ends a stream that failed.</summary>
    public void OnFailure(GatewayError error, IBufferWriter<byte> output)
    {
        using var json = new PooledBufferWriter(512);
        using (var writer = new Utf8JsonWriter(json, JsonWire.WriterOptions))
        {
            writer.WriteStartObject();
            OpenAIErrors.WriteErrorObject(writer, error);
            writer.WriteEndObject();
        }

        SseStreams.Write(output, SseFrame.FromData(json.WrittenMemory));
    }

    /// <summary>Reads an OpenAI usage object into disjoint buckets.</summary>
    public static Usage ReadUsage(ReadOnlySpan<byte> usageJson) => ChatUsageReader.Read(usageJson);

    /// <summary>Whether the choices array is empty, whether any choice has a non-null finish_reason, and the characters of text the choices carry.</summary>
    private static (bool Empty, bool Finishes, long Text) InspectChoices(ReadOnlySpan<byte> choices)
    {
        var reader = new Utf8JsonReader(choices);
        reader.Read();
        return InspectChoices(ref reader);
    }

    /// <summary><see cref="InspectChoices(ReadOnlySpan{byte})"/> with the reader on the array's first token; leaves it on the last.</summary>
    private static (bool Empty, bool Finishes, long Text) InspectChoices(ref Utf8JsonReader reader)
    {
        var empty = true;
        var finishes = false;
        long text = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            empty = false;
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                reader.Skip();
                continue;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isFinish = reader.ValueTextEquals("finish_reason"u8);
                var isText = RelayedText.IsTextProperty(ref reader);
                reader.Read();
                if (isFinish && reader.TokenType == JsonTokenType.String)
                {
                    finishes = true;
                }

                // Walks the value as Skip would, counting its text on the way.
                text += RelayedText.CountValue(ref reader, isText);
            }
        }

        return (empty, finishes, text);
    }

    /// <summary>
    /// Where a chunk's <c>error</c>, <c>usage</c>, <c>model</c> and <c>choices</c> are (the first
    /// of each, as <see cref="JsonTopLevel.TryGet"/> finds them; -1 when absent), found in one pass
    /// over the top level instead of one per name, and whether <c>model</c> came more than once.
    /// </summary>
    private struct ChunkMembers
    {
        public int Error;
        public int Usage;
        public int Model;
        public int Choices;
        public bool ModelTwice;

        public static ChunkMembers Find(ReadOnlySpan<byte> data, ReadOnlySpan<TopLevelProperty> properties)
        {
            var members = new ChunkMembers { Error = -1, Usage = -1, Model = -1, Choices = -1 };
            for (var i = 0; i < properties.Length; i++)
            {
                // An unescaped name of another length cannot be one of the four.
                if (properties[i] is { NameEscaped: true } or { NameLength: 5 or 7 })
                {
                    members.Note(i, data, properties[i]);
                }
            }

            return members;
        }

        private void Note(int index, ReadOnlySpan<byte> data, in TopLevelProperty property)
        {
            if (JsonTopLevel.NameEquals(data, property, "model"u8))
            {
                ModelTwice |= Model >= 0;
                Model = Model >= 0 ? Model : index;
            }
            else if (Choices < 0 && JsonTopLevel.NameEquals(data, property, "choices"u8))
            {
                Choices = index;
            }
            else if (Usage < 0 && JsonTopLevel.NameEquals(data, property, "usage"u8))
            {
                Usage = index;
            }
            else if (Error < 0 && JsonTopLevel.NameEquals(data, property, "error"u8))
            {
                Error = index;
            }
        }
    }

    /// <summary>Inspects the first top-level <c>choices</c> array while <see cref="JsonTopLevel"/> scans a chunk.</summary>
    private struct ChoicesInspector : ITopLevelVisitor
    {
        public bool Seen;
        public int ValueStart;
        public bool Empty;
        public bool Finishes;
        public long Text;

        public bool Visit(ReadOnlySpan<byte> name, bool nameEscaped, ref Utf8JsonReader reader)
        {
            if (Seen || nameEscaped || reader.TokenType != JsonTokenType.StartArray || !name.SequenceEqual("choices"u8))
            {
                return false;
            }

            Seen = true;
            ValueStart = (int)reader.TokenStartIndex;
            (Empty, Finishes, Text) = InspectChoices(ref reader);
            return true;
        }
    }

    private static byte[] ExtractUsage(ReadOnlySpan<byte> chunk)
    {
        var topLevel = JsonTopLevel.Scan(chunk);
        return topLevel.TryGet(chunk, "usage"u8, out var usage) ? chunk[usage.Value].ToArray() : "null"u8.ToArray();
    }

    private void MergeUsageIntoHeld(byte[] usageJson)
    {
        var held = _heldFinishChunk!;
        var topLevel = JsonTopLevel.Scan(held);
        var output = new ArrayBufferWriter<byte>(held.Length + usageJson.Length + 16);
        new JsonTopLevelEditor().Set("usage"u8, usageJson).WriteTo(held, topLevel, output);
        _heldFinishChunk = output.WrittenSpan.ToArray();
    }

    private void FlushHeld(IBufferWriter<byte> output)
    {
        if (_heldFinishChunk is { } held)
        {
            _heldFinishChunk = null;
            WriteData(output, held);
        }
    }

    private void WriteData(IBufferWriter<byte> output, ReadOnlySpan<byte> data)
    {
        SseStreams.WriteEvent(output, [], data, "\n"u8);
        FramesWritten++;
    }

    private static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }

    public override string ToString() => $"ChatCompletionsUsageTap({_clientModelText})";

    public void Dispose()
    {
        _data.Dispose();
        _scratch.Dispose();
    }
}
