using System.Buffers;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Switchyard.Dialects.Json;

/// <summary>
/// One body's pass of a <see cref="MediaUrlReader"/>: each string value is judged by the name of
/// its own property and of the property that holds its container. Allocates only the URLs it
/// keeps: past as many as it was asked to keep it counts the rest without reading them, so a body
/// of a million tiny URLs costs a count, not a million strings.
/// </summary>
public struct MediaUrlTokens : IJsonTokenSink
{
    private const int MaxDepth = 256;

    private readonly MediaUrlReader _reader;
    private readonly int _keep;
    private Containers _containers;
    private int _depth;
    private int _property;

    internal MediaUrlTokens(MediaUrlReader reader, int keep)
    {
        _reader = reader;
        _keep = keep;
        _property = MediaUrlReader.NoProperty;
    }

    /// <summary>The first URLs found, in body order, as many as it keeps; null when none.</summary>
    public List<MediaUrl>? Found { get; private set; }

    /// <summary>Every URL found, kept or not.</summary>
    public int Count { get; private set; }

    public void OnToken(ref Utf8JsonReader reader)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.PropertyName:
                _property = _reader.IndexOf(ref reader);
                break;
            case JsonTokenType.StartObject:
            case JsonTokenType.StartArray:
                _containers[_depth] = _property == MediaUrlReader.NoProperty && _depth > 0 ? _containers[_depth - 1] : _property;
                _depth++;
                _property = MediaUrlReader.NoProperty;
                break;
            case JsonTokenType.EndObject:
            case JsonTokenType.EndArray:
                _depth--;
                _property = MediaUrlReader.NoProperty;
                break;
            case JsonTokenType.String:
                var parent = _depth > 0 ? _containers[_depth - 1] : MediaUrlReader.NoProperty;
                if (_reader.ParamFor(_property, parent) is { } param && !reader.ValueTextEquals(""u8))
                {
                    if (Count >= _keep)
                    {
                        Count += InlineData(ref reader) ? 0 : 1;
                    }
                    else if (Url(ref reader) is { } url)
                    {
                        (Found ??= []).Add(new MediaUrl(url, param));
                        Count++;
                    }
                }

                _property = MediaUrlReader.NoProperty;
                break;
            default:
                _property = MediaUrlReader.NoProperty;
                break;
        }
    }

    /// <summary>A <c>data:</c> URL. An escaped string is unescaped into a buffer of its own length (never longer) to be told, not made a string.</summary>
    private static bool InlineData(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped && !reader.HasValueSequence)
        {
            return IsDataPrefix(reader.ValueSpan);
        }

        var length = reader.HasValueSequence ? checked((int)reader.ValueSequence.Length) : reader.ValueSpan.Length;
        var rented = length > 256 ? ArrayPool<byte>.Shared.Rent(length) : null;
        try
        {
            Span<byte> text = rented ?? stackalloc byte[256];
            return IsDataPrefix(text[..reader.CopyString(text)]);
        }
        catch (InvalidOperationException exception) when (JsonErrors.IsValueError(exception))
        {
            // An escaped lone surrogate is no text: judged as a URL, as Url reports it.
            return false;
        }
        finally
        {
            if (rented is not null)
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
        }
    }

    private static bool IsDataPrefix(ReadOnlySpan<byte> text) => text.Length >= 5 && Ascii.EqualsIgnoreCase(text[..5], "data:"u8);

    /// <summary>
    /// The URL a string holds, or null for inline data. A string that cannot be read as text (an
    /// escaped lone surrogate) is reported as written, so that it is judged — and refused — rather
    /// than ending the pass before the URLs after it.
    /// </summary>
    private static string? Url(ref Utf8JsonReader reader)
    {
        if (InlineData(ref reader))
        {
            return null;
        }

        string text;
        try
        {
            text = reader.GetString()!;
        }
        catch (InvalidOperationException exception) when (JsonErrors.IsValueError(exception))
        {
            return Encoding.UTF8.GetString(reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan);
        }

        return text;
    }

    /// <summary>The property each open container is held by, by depth (the readers stop at <see cref="MaxDepth"/>).</summary>
    [InlineArray(MaxDepth + 1)]
    private struct Containers
    {
        private int _element;
    }
}
