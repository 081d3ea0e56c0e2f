using System.Buffers;

namespace Switchyard.Dialects.Json;

/// <summary>
/// Rewrites a few top-level properties of a JSON object and copies every other property's raw
/// bytes untouched, so fields the gateway does not know survive exactly.
/// </summary>
public sealed class JsonTopLevelEditor
{
    private readonly List<(byte[] Name, byte[]? Value)> _edits = [];

    public bool HasEdits => _edits.Count > 0;

    /// <summary>A copy with the same edits, to add per-attempt edits to a shared base.</summary>
    public JsonTopLevelEditor Clone()
    {
        var copy = new JsonTopLevelEditor();
        copy._edits.AddRange(_edits);
        return copy;
    }

    /// <summary>Sets <paramref name="name"/> to the raw JSON <paramref name="rawValue"/>, replacing it in place or appending it.</summary>
    public JsonTopLevelEditor Set(ReadOnlySpan<byte> name, ReadOnlySpan<byte> rawValue)
    {
        Forget(name);
        _edits.Add((name.ToArray(), rawValue.ToArray()));
        return this;
    }

    /// <summary>
    /// <see cref="Set(ReadOnlySpan{byte}, ReadOnlySpan{byte})"/> keeping the arrays themselves
    /// instead of copies, for an editor reused per stream frame; the caller must not change them.
    /// </summary>
    public JsonTopLevelEditor SetShared(byte[] name, byte[] rawValue)
    {
        Forget(name);
        _edits.Add((name, rawValue));
        return this;
    }

    /// <summary>Drops every edit, so the editor can serve the next frame.</summary>
    public void Clear() => _edits.Clear();

    /// <summary>Sets <paramref name="name"/> to a JSON string.</summary>
    public JsonTopLevelEditor SetString(ReadOnlySpan<byte> name, string value)
    {
        // Encoded by this thread's writer, reset for each value: a model id rewritten on every
        // request and answer needed a writer and two arrays of its own.
        var encoded = t_encoded ??= new ArrayBufferWriter<byte>(128);
        var json = t_json ??= new System.Text.Json.Utf8JsonWriter(encoded, JsonWire.WriterOptions);
        encoded.ResetWrittenCount();
        json.Reset(encoded);
        json.WriteStringValue(value);
        json.Flush();
        Set(name, encoded.WrittenSpan);
        if (encoded.Capacity > MaxKeptEncoding)
        {
            // An unusually long value does not stay with the thread.
            t_encoded = null;
            t_json = null;
        }

        return this;
    }

    private const int MaxKeptEncoding = 4096;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_encoded;

    [ThreadStatic]
    private static System.Text.Json.Utf8JsonWriter? t_json;

    /// <summary>
    /// Sets <paramref name="name"/> to <paramref name="json"/> (an object) with its
    /// <paramref name="numberName"/> set to <paramref name="value"/> (replaced in place, every time it occurs, or appended),
    /// its other properties untouched: a priced answer's usage with its cost. Built in this thread's
    /// scratch, so only the edit's own copy is new.
    /// </summary>
    public JsonTopLevelEditor SetWithNumber(ReadOnlySpan<byte> name, ReadOnlySpan<byte> json, ReadOnlySpan<byte> numberName, decimal value)
    {
        var scratch = t_numberScratch ??= new NumberScratch();
        Span<byte> number = stackalloc byte[48];
        if (!value.TryFormat(number, out var numberLength, default, System.Globalization.CultureInfo.InvariantCulture))
        {
            throw new InvalidOperationException("A decimal did not fit its 48 bytes.");
        }

        var output = scratch.Output;
        output.ResetWrittenCount();
        if (Appendable(json, numberName))
        {
            // The usual case, no such member yet: the number goes in before the closing brace,
            // the object's bytes kept as they came (no second scan of a usage already read).
            var end = json[..^1].TrimEnd(" \t\r\n"u8).Length;
            Write(output, json[..end]);
            if (end > 1)
            {
                Write(output, ","u8);
            }

            WriteMember(output, numberName, number[..numberLength]);
        }
        else
        {
            scratch.TopLevel.Rescan(json);
            var first = true;
            var replaced = false;
            Write(output, "{"u8);
            foreach (var property in scratch.TopLevel.Properties)
            {
                Separator(output, ref first);
                if (JsonTopLevel.NameEquals(json, property, numberName))
                {
                    replaced = true;
                    Write(output, json[property.Start..property.ValueStart]);
                    Write(output, number[..numberLength]);
                    continue;
                }

                Write(output, json[property.Whole]);
            }

            if (!replaced)
            {
                Separator(output, ref first);
                WriteMember(output, numberName, number[..numberLength]);
            }
        }

        Write(output, "}"u8);
        Set(name, output.WrittenSpan);
        if (output.Capacity > MaxKeptEncoding || scratch.TopLevel.Count > 64)
        {
            // An unusually large object does not stay with the thread.
            t_numberScratch = null;
        }

        return this;
    }

    /// <summary>
    /// <paramref name="json"/> is an object in which no member can be named <paramref name="name"/>:
    /// the name in quotes occurs nowhere in it, and nothing is escaped (an escaped name could spell it).
    /// </summary>
    private static bool Appendable(ReadOnlySpan<byte> json, ReadOnlySpan<byte> name)
    {
        if (json.Length < 2 || json[0] != (byte)'{' || json[^1] != (byte)'}' || name.Length > 32 || json.Contains((byte)'\\'))
        {
            return false;
        }

        Span<byte> quoted = stackalloc byte[name.Length + 2];
        quoted[0] = (byte)'"';
        name.CopyTo(quoted[1..]);
        quoted[^1] = (byte)'"';
        return json.IndexOf(quoted) < 0;
    }

    private static void WriteMember(ArrayBufferWriter<byte> output, ReadOnlySpan<byte> name, ReadOnlySpan<byte> rawValue)
    {
        Write(output, "\""u8);
        Write(output, name);
        Write(output, "\":"u8);
        Write(output, rawValue);
    }

    private sealed class NumberScratch
    {
        public JsonTopLevel TopLevel { get; } = new();

        public ArrayBufferWriter<byte> Output { get; } = new(256);
    }

    [ThreadStatic]
    private static NumberScratch? t_numberScratch;

    public JsonTopLevelEditor Remove(ReadOnlySpan<byte> name)
    {
        Forget(name);
        _edits.Add((name.ToArray(), null));
        return this;
    }

    private void Forget(ReadOnlySpan<byte> name)
    {
        for (var i = _edits.Count - 1; i >= 0; i--)
        {
            if (name.SequenceEqual(_edits[i].Name))
            {
                _edits.RemoveAt(i);
            }
        }
    }

    /// <summary>Writes the edited object. Properties keep their order; new ones are appended.</summary>
    public void WriteTo(ReadOnlySpan<byte> json, JsonTopLevel topLevel, IBufferWriter<byte> output)
    {
        Span<bool> applied = _edits.Count <= 32 ? stackalloc bool[_edits.Count] : new bool[_edits.Count];
        var first = true;
        Write(output, "{"u8);
        foreach (var property in topLevel.Properties)
        {
            var edit = FindEdit(json, property);
            if (edit < 0)
            {
                Separator(output, ref first);
                Write(output, json[property.Whole]);
                continue;
            }

            applied[edit] = true;
            if (_edits[edit].Value is { } value)
            {
                Separator(output, ref first);
                Write(output, json[property.Start..property.ValueStart]);
                Write(output, value);
            }
        }

        for (var i = 0; i < _edits.Count; i++)
        {
            if (!applied[i] && _edits[i].Value is { } value)
            {
                Separator(output, ref first);
                Write(output, "\""u8);
                Write(output, _edits[i].Name);
                Write(output, "\":"u8);
                Write(output, value);
            }
        }

        Write(output, "}"u8);
    }

    private int FindEdit(ReadOnlySpan<byte> json, in TopLevelProperty property)
    {
        for (var i = 0; i < _edits.Count; i++)
        {
            if (JsonTopLevel.NameEquals(json, property, _edits[i].Name))
            {
                return i;
            }
        }

        return -1;
    }

    private static void Separator(IBufferWriter<byte> output, ref bool first)
    {
        if (!first)
        {
            Write(output, ","u8);
        }

        first = false;
    }

    private static void Write(IBufferWriter<byte> output, ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(output.GetSpan(bytes.Length));
        output.Advance(bytes.Length);
    }
}
