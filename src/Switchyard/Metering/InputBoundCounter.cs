using System.Text.Json;
using Switchyard.Dialects.Json;

namespace Switchyard.Metering;

/// <summary>
/// A body's <see cref="TokenEstimator.InputBound"/>, counted token by token: UTF-8 bytes of every
/// property name and text string, and a count per inline media part — a <c>data:</c> URL, or a
/// <c>data</c>/<c>file_data</c> string (Anthropic, Gemini, OpenAI audio and files). An image counts
/// <see cref="TokenEstimator.ImageTokens"/>; other media (PDF, audio, text files) a token per four
/// decoded bytes. Whether a part is an image is read from the <c>media_type</c> / <c>mimeType</c> /
/// <c>mime_type</c> string written before its data in the same object.
/// </summary>
internal struct InputBoundCounter : IJsonTokenSink
{
    private long _text;
    private long _media;
    private bool _dataNext;
    private bool _typeNext;
    private bool _imageType;

    public readonly TokenEstimator.InputBound Bound => new(_text, _media);

    public void OnToken(ref Utf8JsonReader reader)
    {
        var dataNext = _dataNext;
        var typeNext = _typeNext;
        _dataNext = _typeNext = false;
        switch (reader.TokenType)
        {
            case JsonTokenType.StartObject when !typeNext:
                // An object as a type's value does not start a new part (nor did it when this was a look-ahead).
                _imageType = false;
                break;
            case JsonTokenType.PropertyName:
                _text += TokenEstimator.Length(ref reader);
                (_dataNext, _typeNext) = Name(ref reader);
                break;
            case JsonTokenType.String when typeNext:
                _imageType = TokenEstimator.StartsWith(ref reader, "image/"u8);
                _text += TokenEstimator.Length(ref reader);
                break;
            case JsonTokenType.String when TokenEstimator.StartsWith(ref reader, "data:"u8):
                var length = TokenEstimator.Length(ref reader);
                _media += TokenEstimator.StartsWith(ref reader, "data:image/"u8) ? TokenEstimator.ImageTokens : Math.Max(1, length * 3 / 4 / 4);
                break;
            case JsonTokenType.String when dataNext && TokenEstimator.Length(ref reader) > 256:
                _media += _imageType ? TokenEstimator.ImageTokens : Math.Max(1, TokenEstimator.Length(ref reader) * 3 / 4 / 4);
                break;
            case JsonTokenType.String:
                _text += TokenEstimator.Length(ref reader);
                break;
        }
    }

    /// <summary>Whether the name is one a media part's data or its type is written under; most names are told apart by their length alone.</summary>
    private static (bool Data, bool Type) Name(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped || reader.HasValueSequence)
        {
            return (reader.ValueTextEquals("data"u8) || reader.ValueTextEquals("file_data"u8),
                reader.ValueTextEquals("media_type"u8) || reader.ValueTextEquals("mimeType"u8) || reader.ValueTextEquals("mime_type"u8));
        }

        var name = reader.ValueSpan;
        return name.Length switch
        {
            4 => (name.SequenceEqual("data"u8), false),
            8 => (false, name.SequenceEqual("mimeType"u8)),
            9 => (name.SequenceEqual("file_data"u8), name.SequenceEqual("mime_type"u8)),
            10 => (false, name.SequenceEqual("media_type"u8)),
            _ => (false, false),
        };
    }
}
