using System.Buffers;
using System.Text;
using System.Text.Json;

namespace Switchyard.Dialects.Json;

/// <summary>
/// One forward pass over a body that reports each string value together with the name of its own
/// property and of the property that holds its container (an array's elements inherit the array's
/// name), each as an index into the dialect's few names of interest. Allocates only the strings it reports.
/// </summary>
internal static class MediaUrlScanner
{
    private const int MaxDepth = 256;
    private const int NoProperty = -1;
    private const int OtherProperty = -2;

    /// <summary>Answers the parameter name a string found under these two names is reported as, or null to skip it.</summary>
    public delegate string? Classify(int own, int parent);

    public static void Scan(ReadOnlySpan<byte> body, byte[][] names, Classify classify, ICollection<MediaUrl> urls)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { MaxDepth = MaxDepth });
        Span<int> containers = stackalloc int[MaxDepth + 1];
        var depth = 0;
        var property = NoProperty;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        property = IndexOf(ref reader, names);
                        break;
                    case JsonTokenType.StartObject:
                    case JsonTokenType.StartArray:
                        containers[depth] = property == NoProperty && depth > 0 ? containers[depth - 1] : property;
                        depth++;
                        property = NoProperty;
                        break;
                    case JsonTokenType.EndObject:
                    case JsonTokenType.EndArray:
                        depth--;
                        property = NoProperty;
                        break;
                    case JsonTokenType.String:
                        var parent = depth > 0 ? containers[depth - 1] : NoProperty;
                        if (classify(property, parent) is { } param && !reader.ValueTextEquals(""u8) && Url(ref reader) is { } url)
                        {
                            urls.Add(new MediaUrl(url, param));
                        }

                        property = NoProperty;
                        break;
                    default:
                        property = NoProperty;
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // The codecs report malformed bodies; what was read so far is judged.
        }
    }

    private static int IndexOf(ref Utf8JsonReader reader, byte[][] names)
    {
        for (var i = 0; i < names.Length; i++)
        {
            if (reader.ValueTextEquals(names[i]))
            {
                return i;
            }
        }

        return OtherProperty;
    }

    /// <summary>
    /// The URL a string holds, or null for inline data. A string that cannot be read as text (an
    /// escaped lone surrogate) is reported as written, so that it is judged — and refused — rather
    /// than ending the scan before the URLs after it.
    /// </summary>
    private static string? Url(ref Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped && !reader.HasValueSequence)
        {
            var value = reader.ValueSpan;
            if (value.Length >= 5 && System.Text.Ascii.EqualsIgnoreCase(value[..5], "data:"u8))
            {
                return null;
            }
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

        return text.StartsWith("data:", StringComparison.OrdinalIgnoreCase) ? null : text;
    }
}
