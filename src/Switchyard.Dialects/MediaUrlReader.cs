using Switchyard.Dialects.Json;

namespace Switchyard.Dialects;

/// <summary>
/// Finds, in a request body of one dialect, the media URLs its upstream would fetch itself, so the
/// gateway can judge them before the body reaches an upstream inside a private network. Inline
/// data (<c>data:</c> URLs, base64 parts) is not reported. A dialect names the few property names
/// a URL sits under and which pairs of them — a string's own property and the property that holds
/// its container (an array's elements inherit the array's name) — make a URL.
/// </summary>
public sealed class MediaUrlReader
{
    /// <summary>A string under no property (an array element at the top, the root).</summary>
    internal const int NoProperty = -1;

    /// <summary>A string under a property that is none of the dialect's names.</summary>
    internal const int OtherProperty = -2;

    private readonly byte[][] _names;

    // Bit n set when a name is n bytes long: most property names are refused on their length alone.
    private readonly ulong _lengths;

    // The parameter a string under (own, parent) is reported as, or null: indexed by both plus two.
    private readonly string?[] _params;

    /// <summary>Answers the parameter name a string found under these two names (indexes into the names, or the constants above) is reported as, or null to skip it.</summary>
    internal delegate string? Classify(int own, int parent);

    internal MediaUrlReader(byte[][] names, Classify classify)
    {
        _names = names;
        foreach (var name in names)
        {
            // The length mask holds lengths below 64; a dialect's names are short.
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(name.Length, 64, nameof(names));
            _lengths |= 1UL << name.Length;
        }

        var width = names.Length + 2;
        _params = new string?[width * width];
        for (var own = OtherProperty; own < names.Length; own++)
        {
            for (var parent = OtherProperty; parent < names.Length; parent++)
            {
                _params[((own + 2) * width) + parent + 2] = classify(own, parent);
            }
        }
    }

    /// <summary>Adds every media URL of <paramref name="body"/> to <paramref name="urls"/>; stops quietly at malformed JSON (the codecs report it).</summary>
    public void Read(ReadOnlySpan<byte> body, ICollection<MediaUrl> urls)
    {
        var tokens = Tokens();
        JsonTokens.ReadAll(body, ref tokens);
        foreach (var url in tokens.Found ?? [])
        {
            urls.Add(url);
        }
    }

    /// <summary>The state of one body's pass, to be shown its tokens in a pass shared with other readers; it keeps the first <paramref name="keep"/> URLs and counts the rest.</summary>
    public MediaUrlTokens Tokens(int keep = int.MaxValue) => new(this, keep);

    internal string? ParamFor(int own, int parent) => _params[((own + 2) * (_names.Length + 2)) + parent + 2];

    /// <summary>The index of the property name the reader is on among the dialect's names, or <see cref="OtherProperty"/>.</summary>
    internal int IndexOf(ref System.Text.Json.Utf8JsonReader reader)
    {
        if (!reader.ValueIsEscaped && !reader.HasValueSequence)
        {
            var length = reader.ValueSpan.Length;
            if (length >= 64 || (_lengths & (1UL << length)) == 0)
            {
                return OtherProperty;
            }
        }

        for (var i = 0; i < _names.Length; i++)
        {
            if (reader.ValueTextEquals(_names[i]))
            {
                return i;
            }
        }

        return OtherProperty;
    }
}
