using System.Buffers;
using CsCheck;
using System.Text;
using System.Text.Json;
using Switchyard.Dialects.Json;

namespace Switchyard.Dialects.Tests.Json;

public sealed class JsonTopLevelEditorTests
{
    // Odd whitespace, unicode escapes, raw UTF-8, numbers in unusual forms: all must survive byte for byte.
    private const string OddBody =
        "{ \"model\" :  \"gpt-4o\",\n" +
        "\t\"messages\":[ {\"role\":\"user\",\"content\":\"caf\\u00e9 \\ud83d\\ude00 déjà\"} ],\n" +
        "  \"x_unknown\" : { \"nested\" : [1, 2.50, 3e2, -0.0, true, null] },\r\n" +
        "  \"temperature\":0.70 ,\"stream\" : false\n}\n";

    [Fact]
    public void Replaces_a_value_in_place_and_keeps_every_other_byte()
    {
        var body = Encoding.UTF8.GetBytes(OddBody);
        var editor = new JsonTopLevelEditor().SetString("model"u8, "gpt-4o-2024-08-06");

        var edited = Edit(body, editor);

        Assert.Equal(
            "{\"model\" :  \"gpt-4o-2024-08-06\"," +
            "\"messages\":[ {\"role\":\"user\",\"content\":\"caf\\u00e9 \\ud83d\\ude00 déjà\"} ]," +
            "\"x_unknown\" : { \"nested\" : [1, 2.50, 3e2, -0.0, true, null] }," +
            "\"temperature\":0.70,\"stream\" : false}",
            edited);
        using var document = JsonDocument.Parse(edited);
        Assert.Equal("café 😀 déjà", document.RootElement.GetProperty("messages")[0].GetProperty("content").GetString());
    }

    [Fact]
    public void Copies_the_untouched_properties_raw_slices_exactly()
    {
        var body = Encoding.UTF8.GetBytes(OddBody);
        var before = JsonTopLevel.Scan(body);
        var editor = new JsonTopLevelEditor().Set("stream"u8, "true"u8).Remove("temperature"u8);

        var edited = Encoding.UTF8.GetBytes(Edit(body, editor));

        var after = JsonTopLevel.Scan(edited);
        foreach (var name in new[] { "model", "messages", "x_unknown" })
        {
            Assert.True(before.TryGet(body, Encoding.UTF8.GetBytes(name), out var original));
            Assert.True(after.TryGet(edited, Encoding.UTF8.GetBytes(name), out var copied));
            Assert.Equal(body[original.Whole], edited[copied.Whole]);
        }
    }

    [Theory]
    [InlineData("model", """{"messages":[],"stream":true}""")]
    [InlineData("messages", """{"model":"m","stream":true}""")]
    [InlineData("stream", """{"model":"m","messages":[]}""")]
    [InlineData("absent", """{"model":"m","messages":[],"stream":true}""")]
    public void Removes_a_property_with_correct_commas(string name, string expected)
    {
        var body = """{"model":"m","messages":[],"stream":true}"""u8.ToArray();

        var edited = Edit(body, new JsonTopLevelEditor().Remove(Encoding.UTF8.GetBytes(name)));

        Assert.Equal(expected, edited);
    }

    [Fact]
    public void Removes_several_properties_including_first_and_last()
    {
        var body = """{"a":1, "b":2, "c":3, "d":4}"""u8.ToArray();

        var edited = Edit(body, new JsonTopLevelEditor().Remove("a"u8).Remove("c"u8).Remove("d"u8));

        Assert.Equal("""{"b":2}""", edited);
    }

    [Fact]
    public void Removes_the_only_property()
    {
        var body = """{ "strict_params" : true }"""u8.ToArray();

        var edited = Edit(body, new JsonTopLevelEditor().Remove("strict_params"u8));

        Assert.Equal("{}", edited);
    }

    [Fact]
    public void Appends_a_property_it_did_not_find()
    {
        var body = """{"model":"m","stream":true}"""u8.ToArray();

        var edited = Edit(body, new JsonTopLevelEditor().Set("stream_options"u8, """{"include_usage":true}"""u8));

        Assert.Equal("""{"model":"m","stream":true,"stream_options":{"include_usage":true}}""", edited);
    }

    [Fact]
    public void Appends_to_an_empty_object()
    {
        var body = " { } "u8.ToArray();

        var edited = Edit(body, new JsonTopLevelEditor().Set("a"u8, "1"u8).Remove("b"u8));

        Assert.Equal("""{"a":1}""", edited);
    }

    [Fact]
    public void Replaces_objects_and_arrays_whole()
    {
        var body = """{"stream_options":{"include_usage":false,"x":[1,{"y":2}]},"stop":["a","b"],"n":1}"""u8.ToArray();

        var edited = Edit(body, new JsonTopLevelEditor().Set("stream_options"u8, """{"include_usage":true}"""u8).Set("stop"u8, "null"u8));

        Assert.Equal("""{"stream_options":{"include_usage":true},"stop":null,"n":1}""", edited);
    }

    [Fact]
    public void Lets_the_last_edit_of_a_name_win()
    {
        var body = """{"model":"a","user":"u"}"""u8.ToArray();
        var editor = new JsonTopLevelEditor().SetString("model"u8, "b").SetString("model"u8, "c").Remove("user"u8).SetString("user"u8, "v");

        var edited = Edit(body, editor);

        Assert.Equal("""{"model":"c","user":"v"}""", edited);
    }

    [Fact]
    public void Matches_an_escaped_property_name()
    {
        var body = """{"mod\u0065l":"a","x":1,"\u0073trict_params":true}"""u8.ToArray();

        var edited = Edit(body, new JsonTopLevelEditor().SetString("model"u8, "b").Remove("strict_params"u8));

        Assert.Equal("""{"mod\u0065l":"b","x":1}""", edited);
    }

    [Fact]
    public void Escapes_string_values_it_sets()
    {
        var body = """{"model":"a"}"""u8.ToArray();

        var edited = Edit(body, new JsonTopLevelEditor().SetString("model"u8, "quote\" back\\slash\nline"));

        using var document = JsonDocument.Parse(edited);
        Assert.Equal("quote\" back\\slash\nline", document.RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public void Reports_whether_it_has_edits()
    {
        var editor = new JsonTopLevelEditor();

        var before = editor.HasEdits;
        editor.Remove("x"u8);

        Assert.False(before);
        Assert.True(editor.HasEdits);
    }

    [Fact]
    public void Handles_objects_with_many_properties()
    {
        var body = Encoding.UTF8.GetBytes("{" + string.Join(",", Enumerable.Range(0, 40).Select(i => $"\"p{i}\":{i}")) + "}");

        var edited = Edit(body, new JsonTopLevelEditor().Set("p0"u8, "\"first\""u8).Remove("p20"u8).Set("p39"u8, "\"last\""u8));

        using var document = JsonDocument.Parse(edited);
        var names = document.RootElement.EnumerateObject().Select(p => p.Name).ToList();
        Assert.Equal(39, names.Count);
        Assert.DoesNotContain("p20", names);
        Assert.Equal("first", document.RootElement.GetProperty("p0").GetString());
        Assert.Equal("last", document.RootElement.GetProperty("p39").GetString());
        Assert.Equal(38, document.RootElement.GetProperty("p38").GetInt32());
    }

    [Theory]
    [InlineData("""{"prompt_tokens":3,"completion_tokens":5}""", """{"prompt_tokens":3,"completion_tokens":5,"cost":0.000123}""")]
    [InlineData("""{ "cost" : 9 , "total_tokens":8 }""", """{"cost" : 0.000123,"total_tokens":8}""")]
    [InlineData("""{"co\u0073t":"x","cost":1,"n":[1,{"cost":2}]}""", """{"co\u0073t":0.000123,"cost":0.000123,"n":[1,{"cost":2}]}""")]
    [InlineData("{ }", """{"cost":0.000123}""")]
    [InlineData("""{ "prompt_tokens" : 3 }""", """{ "prompt_tokens" : 3,"cost":0.000123}""")]
    [InlineData("""{"details":{"cost":1}}""", """{"details":{"cost":1},"cost":0.000123}""")]
    public void Sets_a_number_inside_an_object_value(string usage, string expected)
    {
        var body = Encoding.UTF8.GetBytes("""{"id":"x","usage":""" + usage + "}");
        var scanned = JsonTopLevel.Scan(body);
        Assert.True(scanned.TryGet(body, "usage"u8, out var property));

        var edited = Edit(body, new JsonTopLevelEditor().SetWithNumber("usage"u8, body.AsSpan(property.Value), "cost"u8, 0.000123m));

        Assert.Equal("""{"id":"x","usage":""" + expected + "}", edited);
    }

    [Fact]
    public void Sets_a_number_as_a_set_of_its_formatted_value_would()
    {
        // The reference: the object edited by the general editor, the number formatted as text;
        // the same members in the same order (an object without the name may keep its whitespace).
        var name = Gen.OneOf(Gen.Const("cost"), Gen.Const("co\\u0073t"), Gen.Const("total_tokens"), Gen.String[Gen.Char["abcdefgh"], 1, 12]);
        var value = Gen.OneOf(
            Gen.Long.Select(n => n.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Gen.String[Gen.Char["abc\\\"\u00e9"], 0, 20].Select(text => JsonSerializer.Serialize(text)),
            Gen.Const("""{"cost":1,"x":[true,null]}"""),
            Gen.Const("[]"));
        var spaces = Gen.OneOf(Gen.Const(""), Gen.Const(" "), Gen.Const("\n\t "));
        var property = Gen.Select(name, value, spaces).Select((n, v, s) => s + "\"" + n + "\"" + s + ":" + s + v + s);
        var objects = property.Array[0, 90].Select(properties => "{" + string.Join(",", properties) + "}");
        Gen.Select(objects.Array[1, 4], Gen.Decimal).Sample((usages, cost) =>
        {
            // Several in a row on one thread: a large object's scratch must not spoil the next.
            foreach (var usage in usages)
            {
                var json = Encoding.UTF8.GetBytes(usage);
                var expected = new ArrayBufferWriter<byte>();
                new JsonTopLevelEditor()
                    .Set("cost"u8, Encoding.UTF8.GetBytes(cost.ToString(System.Globalization.CultureInfo.InvariantCulture)))
                    .WriteTo(json, JsonTopLevel.Scan(json), expected);
                var body = Encoding.UTF8.GetBytes("""{"usage":""" + usage + "}");
                var editor = new JsonTopLevelEditor().SetWithNumber("usage"u8, json, "cost"u8, cost);

                using var edited = JsonDocument.Parse(Edit(body, editor));
                Assert.Equal(Members(expected.WrittenSpan.ToArray()), Members(Encoding.UTF8.GetBytes(edited.RootElement.GetProperty("usage").GetRawText())));
            }
        }, iter: 5_000);
    }

    /// <summary>An object's members in order, each name as written and its value's raw text.</summary>
    private static List<(string Name, string Value)> Members(byte[] json)
    {
        var topLevel = JsonTopLevel.Scan(json);
        return topLevel.Properties.ToArray()
            .Select(p => (Encoding.UTF8.GetString(json.AsSpan(p.Start..p.ValueStart)).Trim().TrimEnd(':').Trim(), Encoding.UTF8.GetString(json.AsSpan(p.Value))))
            .ToList();
    }

    private static string Edit(byte[] body, JsonTopLevelEditor editor)
    {
        var output = new ArrayBufferWriter<byte>();
        editor.WriteTo(body, JsonTopLevel.Scan(body), output);
        return Encoding.UTF8.GetString(output.WrittenSpan);
    }
}
