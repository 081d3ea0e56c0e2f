using System.Text.Json;

namespace Switchyard.Dialects.Json;

/// <summary>
/// Sees every token of a JSON body as one forward pass reads it, so that what several readers
/// count or collect from a body takes one pass instead of one each.
/// </summary>
public interface IJsonTokenSink
{
    /// <summary>Called with the reader on a token; reads its value if it likes, never moves the reader on.</summary>
    void OnToken(ref Utf8JsonReader reader);
}

/// <summary>A pass over a whole body for one sink, where no index of the top level is wanted beside it.</summary>
public static class JsonTokens
{
    /// <summary>Shows every token of <paramref name="json"/> to <paramref name="sink"/>; malformed JSON ends the pass quietly where it stops reading (the codecs report it).</summary>
    public static void ReadAll<TSink>(ReadOnlySpan<byte> json, ref TSink sink)
        where TSink : struct, IJsonTokenSink
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
        try
        {
            while (reader.Read())
            {
                sink.OnToken(ref reader);
            }
        }
        catch (JsonException)
        {
            // What was read so far is what the sink holds.
        }
    }
}
