namespace Switchyard.Dialects.Json;

/// <summary>
/// Escapes in JSON text that decode to no Unicode text: a <c>\uD800</c>–<c>\uDBFF</c> not followed by
/// a <c>\uDC00</c>–<c>\uDFFF</c>, or the second alone. The grammar of JSON allows them; no string
/// can hold them, so a reader fails on them wherever it meets them — the gateway refuses them once,
/// up front, as it refuses bytes that are not UTF-8.
/// </summary>
public static class JsonEscapes
{
    /// <summary>True when <paramref name="json"/> escapes a surrogate without its pair. Any bytes may be given.</summary>
    public static bool HasLoneSurrogate(ReadOnlySpan<byte> json)
    {
        var i = json.IndexOf((byte)'\\');
        while (i >= 0 && i + 1 < json.Length)
        {
            if (json[i + 1] != (byte)'u')
            {
                // \\, \", \n…: the escaped character is not the start of another escape.
                i = Next(json, i + 2);
                continue;
            }

            var unit = Hex(json, i + 2);
            if (unit is >= 0xDC00 and <= 0xDFFF)
            {
                return true;
            }

            if (unit is >= 0xD800 and <= 0xDBFF)
            {
                var low = i + 7 < json.Length && json[i + 6] == (byte)'\\' && json[i + 7] == (byte)'u' ? Hex(json, i + 8) : -1;
                if (low is < 0xDC00 or > 0xDFFF)
                {
                    return true;
                }

                i = Next(json, i + 12);
                continue;
            }

            i = Next(json, i + 6);
        }

        return false;
    }

    private static int Next(ReadOnlySpan<byte> json, int from)
    {
        if (from >= json.Length)
        {
            return -1;
        }

        var next = json[from..].IndexOf((byte)'\\');
        return next < 0 ? -1 : from + next;
    }

    /// <summary>The four hex digits at <paramref name="at"/> as a UTF-16 unit, or -1.</summary>
    private static int Hex(ReadOnlySpan<byte> json, int at)
    {
        if (at + 4 > json.Length)
        {
            return -1;
        }

        var value = 0;
        foreach (var b in json.Slice(at, 4))
        {
            var digit = b switch
            {
                >= (byte)'0' and <= (byte)'9' => b - '0',
                >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
                _ => -1,
            };
            if (digit < 0)
            {
                return -1;
            }

            value = (value << 4) | digit;
        }

        return value;
    }
}
