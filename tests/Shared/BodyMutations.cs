using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using CsCheck;

namespace Switchyard.Testing;

/// <summary>What a mutation does to one value of a body's JSON tree.</summary>
internal enum TreeMutation
{
    /// <summary>The field or element is removed.</summary>
    Drop,

    /// <summary>The field is sent twice, the second time with the same or another value.</summary>
    Duplicate,

    /// <summary>The value becomes one of another JSON type.</summary>
    SwapType,

    /// <summary>The value becomes a number at or past an edge: huge, negative, fractional, overflowing, not JSON at all (NaN).</summary>
    OddNumber,

    /// <summary>The value becomes arrays or objects nested deep.</summary>
    DeepNesting,

    /// <summary>The value becomes a string of odd Unicode: escapes of lone surrogates, NUL, bidi controls, emoji, a long run.</summary>
    OddString,

    /// <summary>The field's name is spelled with \u escapes, so it reads as the same name to a parser and not to a byte compare.</summary>
    EscapedName,
}

/// <summary>What happens to the serialized bytes afterwards.</summary>
internal enum ByteMutation
{
    None,

    /// <summary>The body is cut short.</summary>
    Truncate,

    /// <summary>Bytes that are not UTF-8 are inserted (inside a string when one is near).</summary>
    InvalidUtf8,

    /// <summary>The body is replaced with JSON that is no object, or with no JSON at all.</summary>
    NotAnObject,
}

/// <summary>One tree mutation: which value (an index into the tree's values, taken modulo their count) and which variant.</summary>
internal readonly record struct Mutation(TreeMutation Kind, int Target, int Variant);

/// <summary>A body built from a valid one by a few mutations; <see cref="ToString"/> shows how, for a failing case.</summary>
internal sealed record MutatedBody(string Seed, IReadOnlyList<Mutation> Mutations, ByteMutation Bytes, int ByteVariant, byte[] Body)
{
    public string Text => Encoding.UTF8.GetString(Body);

    public override string ToString()
    {
        var text = new StringBuilder();
        foreach (var b in Body.Take(1500))
        {
            text.Append(b is >= 0x20 and < 0x7F ? ((char)b).ToString() : $"\\x{b:X2}");
        }

        return $"[{string.Join(", ", Mutations)}; {Bytes}/{ByteVariant}] {text}{(Body.Length > 1500 ? $"… ({Body.Length} bytes)" : "")}";
    }
}

/// <summary>
/// Random and mutated request bodies built from valid ones: fields dropped, duplicated, given
/// another type, huge or negative or not-a-number numbers, deep nesting, odd Unicode, names in
/// escapes; then perhaps truncated, salted with bytes that are not UTF-8, or replaced with a
/// non-object. Shrinks toward the valid seed with no mutation.
/// </summary>
internal static class BodyMutations
{
    private static readonly string[] Numbers =
    [
        "1e400", "-1e400", "1e-400", "-1", "-0", "0", "0.5", "2147483647", "2147483648", "-2147483649",
        "9223372036854775807", "9223372036854775808", "-9223372036854775809", "18446744073709551616",
        "1e308", "-1.7976931348623157e308", "123456789012345678901234567890", "3.4028236e38", "1E+2147483648",
        "NaN", "Infinity", "-Infinity", "0x10", "01", "1.", ".5",
    ];

    private static readonly string[] OtherTypes =
    [
        "\"hot\"", "\"\"", "true", "false", "null", "[]", "{}", "[1,2]", "{\"a\":1}", "0", "\"10\"", "[\"x\"]", "[{}]", "[null]",
        "{\"type\":\"text\"}", "[{\"type\":\"image_url\"}]", "[{\"role\":\"user\"}]", "{\"role\":\"user\",\"content\":null}",
    ];

    private static readonly string[] Strings =
    [
        "\"東京都の天気は晴れ\"", "\"🧪🚀👩🏽‍💻🇯🇵\"", "\"\\u0000\"", "\"\\ud800\"", "\"\\udc00x\"", "\"x\\ud83d\"", "\"مرحبا\u202e\u2066\"",
        "\"\u200b\u200d\ufeff\"", "\"a\\\\b\\\"c\"", "\"\\/\\b\\f\\n\\r\\t\"", "\"e\u0301\u0301\u0301\"", "\"\\u00\"", "\"\\x41\"",
        "\"" + new string('x', 70_000) + "\"", "\"" + string.Concat(Enumerable.Repeat("語", 20_000)) + "\"",
        "\"data:image/png;base64,!!!\"", "\"data:;base64,\"", "\"\ud7ff\ue000\uffff\"",
    ];

    private static readonly int[] Depths = [8, 63, 64, 65, 200, 5000];

    private static readonly byte[][] NotUtf8 =
    [
        [0xC3], [0xFF], [0x80], [0xED, 0xA0, 0x80], [0xF4, 0x90, 0x80, 0x80], [0xC0, 0xAF], [0xE0, 0x80, 0x80], [0xFE, 0xFF],
    ];

    private static readonly string[] NotObjects = ["", " ", "[]", "null", "1", "\"x\"", "{", "}", "[{}]", "{\"a\"}", "{}", "\uFEFF{}", "true"];

    private static readonly Gen<Mutation> OneMutation = Gen.Select(Gen.Enum<TreeMutation>(), Gen.Int[0, 1000], Gen.Int[0, 1000],
        (kind, target, variant) => new Mutation(kind, target, variant));

    /// <summary>Bodies from <paramref name="seeds"/> (valid JSON objects), with 0 to 3 tree mutations and, one time in four, a byte mutation.</summary>
    public static Gen<MutatedBody> From(IReadOnlyList<string> seeds) => Gen.Select(
        Gen.Int[0, seeds.Count - 1],
        OneMutation.Array[0, 3],
        Gen.Frequency((6, Gen.Const(ByteMutation.None)), (2, Gen.Const(ByteMutation.Truncate)), (2, Gen.Const(ByteMutation.InvalidUtf8)), (1, Gen.Const(ByteMutation.NotAnObject))),
        Gen.Int[0, 100_000],
        (seed, mutations, bytes, byteVariant) => Build(seeds[seed], mutations, bytes, byteVariant));

    public static MutatedBody Build(string seed, IReadOnlyList<Mutation> mutations, ByteMutation bytes, int byteVariant)
    {
        var root = JsonNode.Parse(seed)!;
        var body = new Body();
        foreach (var mutation in mutations)
        {
            body.Apply(root, mutation);
        }

        var serialized = body.Serialize(root);
        return new MutatedBody(seed, mutations, bytes, byteVariant, MutateBytes(serialized, bytes, byteVariant));
    }

    private static byte[] MutateBytes(byte[] body, ByteMutation mutation, int variant)
    {
        switch (mutation)
        {
            case ByteMutation.Truncate:
                return body[..(variant % Math.Max(1, body.Length))];
            case ByteMutation.InvalidUtf8:
            {
                // Inside a string when there is one at or after the position: a model name, a message.
                var at = variant % Math.Max(1, body.Length);
                var quote = Array.IndexOf(body, (byte)'"', at);
                at = quote >= 0 ? quote + 1 : at;
                var bad = NotUtf8[variant % NotUtf8.Length];
                return [.. body[..at], .. bad, .. body[at..]];
            }

            case ByteMutation.NotAnObject:
                return Encoding.UTF8.GetBytes(NotObjects[variant % NotObjects.Length]);
            default:
                return body;
        }
    }

    /// <summary>One body being mutated: the values written raw, duplicated fields and escaped names, beside the tree.</summary>
    private sealed class Body
    {
        private readonly Dictionary<JsonNode, string> _raw = new(ReferenceEqualityComparer.Instance);
        private readonly List<(JsonObject Owner, string Name, string Value)> _duplicates = [];
        private readonly HashSet<(JsonObject, string)> _escaped = [];

        public void Apply(JsonNode root, Mutation mutation)
        {
            var places = new List<(JsonNode Parent, string? Name, int Index)>();
            Collect(root, places);
            if (places.Count == 0)
            {
                return;
            }

            var (parent, name, index) = places[mutation.Target % places.Count];
            var variant = mutation.Variant;
            switch (mutation.Kind)
            {
                case TreeMutation.Drop:
                    if (parent is JsonObject dropFrom)
                    {
                        dropFrom.Remove(name!);
                    }
                    else
                    {
                        ((JsonArray)parent).RemoveAt(index);
                    }

                    break;
                case TreeMutation.Duplicate when parent is JsonObject owner:
                    _duplicates.Add((owner, name!, variant % 2 == 0 ? Write(owner[name!]) : OtherTypes[variant % OtherTypes.Length]));
                    break;
                case TreeMutation.EscapedName when parent is JsonObject owner:
                    _escaped.Add((owner, name!));
                    break;
                case TreeMutation.SwapType:
                    Replace(parent, name, index, OtherTypes[variant % OtherTypes.Length]);
                    break;
                case TreeMutation.OddNumber:
                    Replace(parent, name, index, Numbers[variant % Numbers.Length]);
                    break;
                case TreeMutation.OddString:
                    Replace(parent, name, index, Strings[variant % Strings.Length]);
                    break;
                case TreeMutation.DeepNesting:
                {
                    var depth = Depths[variant % Depths.Length];
                    Replace(parent, name, index, variant % 2 == 0
                        ? new string('[', depth) + new string(']', depth)
                        : string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth));
                    break;
                }
            }
        }

        public byte[] Serialize(JsonNode root) => Encoding.UTF8.GetBytes(Write(root));

        private void Replace(JsonNode parent, string? name, int index, string raw)
        {
            var placeholder = JsonValue.Create(0);
            _raw[placeholder] = raw;
            if (parent is JsonObject owner)
            {
                owner[name!] = placeholder;
            }
            else
            {
                ((JsonArray)parent)[index] = placeholder;
            }
        }

        private static void Collect(JsonNode node, List<(JsonNode, string?, int)> places)
        {
            if (node is JsonObject obj)
            {
                foreach (var (name, value) in obj)
                {
                    places.Add((obj, name, -1));
                    if (value is not null)
                    {
                        Collect(value, places);
                    }
                }
            }
            else if (node is JsonArray array)
            {
                for (var i = 0; i < array.Count; i++)
                {
                    places.Add((array, null, i));
                    if (array[i] is { } item)
                    {
                        Collect(item, places);
                    }
                }
            }
        }

        private string Write(JsonNode? node)
        {
            if (node is not null && _raw.TryGetValue(node, out var raw))
            {
                return raw;
            }

            switch (node)
            {
                case JsonObject obj:
                {
                    var members = obj.Select(p => Name(obj, p.Key) + ":" + Write(p.Value))
                        .Concat(_duplicates.Where(d => ReferenceEquals(d.Owner, obj)).Select(d => Name(obj, d.Name) + ":" + d.Value));
                    return "{" + string.Join(",", members) + "}";
                }

                case JsonArray array:
                    return "[" + string.Join(",", array.Select(Write)) + "]";
                case null:
                    return "null";
                default:
                    return node.ToJsonString(Unescaped);
            }
        }

        private string Name(JsonObject owner, string name) => _escaped.Contains((owner, name))
            ? "\"" + string.Concat(name.Select(c => string.Create(CultureInfo.InvariantCulture, $"\\u{(int)c:x4}"))) + "\""
            : JsonValue.Create(name).ToJsonString(Unescaped);

        private static readonly System.Text.Json.JsonSerializerOptions Unescaped = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    }
}
