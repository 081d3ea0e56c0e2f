using System.Text.Json;
using System.Text.Json.Nodes;
using Switchyard.Dialects.Gemini;
using Switchyard.Dialects.Tests.Infrastructure;

namespace Switchyard.Dialects.Tests.Gemini;

/// <summary>JSON Schemas rewritten into the OpenAPI subset Gemini accepts (https://ai.google.dev/api/caching#Schema).</summary>
public sealed class GeminiSchemaTests
{
    [Fact]
    public void Drops_the_schema_keyword_and_additional_properties_at_every_level()
    {
        var schema = """
            {"$schema":"http://json-schema.org/draft-07/schema#","type":"object","additionalProperties":false,
             "properties":{"address":{"type":"object","additionalProperties":{"type":"string"},"properties":{"city":{"type":"string"}}}}}
            """;

        var cleaned = Clean(schema);

        JsonAssert.Equal(
            JsonAssert.Parse("""{"type":"object","properties":{"address":{"type":"object","properties":{"city":{"type":"string"}}}}}"""),
            cleaned);
    }

    [Theory]
    [InlineData("""[{"role":"user"}]""")]
    [InlineData("""["string",7]""")]
    [InlineData("""[null]""")]
    public void A_type_array_with_anything_but_strings_is_the_callers_400(string type)
    {
        var schema = "{\"type\":\"object\",\"properties\":{\"q\":{\"type\":" + type + "}}}";

        var refused = Assert.Throws<GatewayException>(() => GeminiSchema.Clean(JsonDocument.Parse(schema).RootElement));

        Assert.Equal(400, refused.Error.Status);
        Assert.Contains("'type'", refused.Error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("$defs")]
    [InlineData("definitions")]
    public void Inlines_references_to_definitions(string keyword)
    {
        var schema = $$$$"""
            {"type":"object",
             "properties":{"home":{"$ref":"#/{{{{keyword}}}}/place"},"work":{"$ref":"#/{{{{keyword}}}}/place"}},
             "{{{{keyword}}}}":{"place":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}
            """;

        var cleaned = Clean(schema);

        var place = JsonAssert.Parse("""{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""");
        JsonAssert.Equal(new JsonObject { ["type"] = "object", ["properties"] = new JsonObject { ["home"] = place.DeepClone(), ["work"] = place.DeepClone() } }, cleaned);
    }

    [Fact]
    public void Inlines_a_reference_wrapped_in_a_single_all_of_keeping_the_description_next_to_it()
    {
        var schema = """
            {"type":"object","properties":{"unit":{"allOf":[{"$ref":"#/$defs/unit"}],"description":"The unit of the answer"}},
             "$defs":{"unit":{"type":"string","enum":["celsius","fahrenheit"]}}}
            """;

        var cleaned = Clean(schema);

        JsonAssert.Equal(
            JsonAssert.Parse("""{"type":"object","properties":{"unit":{"type":"string","description":"The unit of the answer","enum":["celsius","fahrenheit"]}}}"""),
            cleaned);
    }

    [Fact]
    public void Describes_an_inlined_reference_by_the_description_next_to_it_rather_than_the_definitions()
    {
        var schema = """
            {"type":"object",
             "properties":{"from":{"$ref":"#/$defs/city","description":"Where the trip starts"},"to":{"$ref":"#/$defs/city"}},
             "$defs":{"city":{"type":"string","description":"A city name"}}}
            """;

        var cleaned = Clean(schema);

        JsonAssert.Equal(
            JsonAssert.Parse("""
                {"type":"object","properties":{
                  "from":{"type":"string","description":"Where the trip starts"},
                  "to":{"type":"string","description":"A city name"}}}
                """),
            cleaned);
    }

    [Fact]
    public void Ends_a_recursive_reference_in_an_open_object()
    {
        var schema = """
            {"type":"object","properties":{"root":{"$ref":"#/$defs/node"}},
             "$defs":{"node":{"type":"object","properties":{"name":{"type":"string"},"children":{"type":"array","items":{"$ref":"#/$defs/node"}}}}}}
            """;

        var cleaned = Clean(schema);

        var depth = 0;
        var node = cleaned["properties"]!["root"];
        while (node?["properties"] is { } properties)
        {
            Assert.Equal("string", properties["name"]!["type"]!.GetValue<string>());
            node = properties["children"]!["items"];
            depth++;
        }

        Assert.InRange(depth, 2, 16);
        JsonAssert.Equal(JsonAssert.Parse("""{"type":"object"}"""), node);
    }

    [Theory]
    [InlineData("""["string","null"]""", "string")]
    [InlineData("""["null","integer"]""", "integer")]
    public void Turns_a_type_union_with_null_into_a_nullable_type(string types, string type)
    {
        var schema = $$"""{"type":{{types}},"description":"Optional"}""";

        var cleaned = Clean(schema);

        JsonAssert.Equal(new JsonObject { ["type"] = type, ["nullable"] = true, ["description"] = "Optional" }, cleaned);
    }

    [Fact]
    public void Turns_const_into_a_one_value_enum()
    {
        var cleaned = Clean("""{"type":"string","const":"celsius"}""");

        JsonAssert.Equal(JsonAssert.Parse("""{"type":"string","enum":["celsius"]}"""), cleaned);
    }

    [Theory]
    [InlineData("""{"type":["string","null"],"nullable":true}""", """{"type":"string","nullable":true}""")]
    [InlineData("""{"type":"string","const":"celsius","enum":["celsius","fahrenheit"]}""", """{"type":"string","enum":["celsius"]}""")]
    public void Writes_each_keyword_once(string schema, string expected)
    {
        var cleaned = GeminiSchema.Clean(JsonDocument.Parse(schema).RootElement).GetRawText();

        JsonAssert.Equal(JsonAssert.Parse(expected), JsonAssert.Parse(cleaned));
        Assert.Equal(JsonAssert.Parse(cleaned).AsObject().Count, JsonDocument.Parse(cleaned).RootElement.EnumerateObject().Count());
    }

    [Fact]
    public void Turns_one_of_into_any_of_and_cleans_each_option()
    {
        var schema = """{"oneOf":[{"type":"string","format":"email"},{"type":"integer","exclusiveMinimum":0}]}""";

        var cleaned = Clean(schema);

        JsonAssert.Equal(JsonAssert.Parse("""{"anyOf":[{"type":"string"},{"type":"integer"}]}"""), cleaned);
    }

    [Theory]
    [InlineData("string", "uri", false)]
    [InlineData("string", "email", false)]
    [InlineData("string", "uuid", false)]
    [InlineData("string", "date-time", true)]
    [InlineData("string", "enum", true)]
    [InlineData("integer", "int64", true)]
    [InlineData("integer", "int32", true)]
    [InlineData("number", "double", true)]
    [InlineData("number", "float", true)]
    [InlineData("integer", "date-time", false)]
    [InlineData("string", "int64", false)]
    public void Keeps_only_the_formats_gemini_supports_for_the_type(string type, string format, bool kept)
    {
        var cleaned = Clean($$"""{"type":"{{type}}","format":"{{format}}"}""");

        var expected = new JsonObject { ["type"] = type };
        if (kept)
        {
            expected["format"] = format;
        }

        JsonAssert.Equal(expected, cleaned);
    }

    [Fact]
    public void Drops_exclusive_bounds_and_other_unsupported_keywords_and_keeps_supported_ones()
    {
        var schema = """
            {"type":"object","title":"Reading","description":"A sensor reading","minProperties":1,"maxProperties":4,
             "properties":{
               "value":{"type":"number","minimum":-40,"maximum":60,"exclusiveMinimum":-41,"exclusiveMaximum":61,"multipleOf":0.5,"default":20},
               "tags":{"type":"array","items":{"type":"string","pattern":"^[a-z]+$","minLength":1,"maxLength":20},"minItems":1,"maxItems":5,"uniqueItems":true},
               "mode":{"type":"string","enum":["auto","manual"],"example":"auto"}},
             "required":["value"],"propertyOrdering":["value","tags","mode"],"patternProperties":{"^x-":{"type":"string"}}}
            """;

        var cleaned = Clean(schema);

        JsonAssert.Equal(
            JsonAssert.Parse("""
                {"type":"object","title":"Reading","description":"A sensor reading","minProperties":1,"maxProperties":4,
                 "properties":{
                   "value":{"type":"number","minimum":-40,"maximum":60,"default":20},
                   "tags":{"type":"array","items":{"type":"string","pattern":"^[a-z]+$","minLength":1,"maxLength":20},"minItems":1,"maxItems":5},
                   "mode":{"type":"string","enum":["auto","manual"],"example":"auto"}},
                 "required":["value"],"propertyOrdering":["value","tags","mode"]}
                """),
            cleaned);
    }

    [Fact]
    public void Cleans_nested_properties_items_and_any_of_options()
    {
        var schema = """
            {"type":"object","properties":{
              "events":{"type":"array","items":{"type":"object","additionalProperties":false,
                "properties":{"at":{"type":["string","null"],"format":"date-time"},"link":{"type":"string","format":"uri"},
                  "kind":{"anyOf":[{"const":"a"},{"type":"object","properties":{"id":{"type":"integer","format":"int64","exclusiveMinimum":0}},"additionalProperties":false}]}}}}}}
            """;

        var cleaned = Clean(schema);

        JsonAssert.Equal(
            JsonAssert.Parse("""
                {"type":"object","properties":{
                  "events":{"type":"array","items":{"type":"object",
                    "properties":{"at":{"type":"string","nullable":true,"format":"date-time"},"link":{"type":"string"},
                      "kind":{"anyOf":[{"enum":["a"]},{"type":"object","properties":{"id":{"type":"integer","format":"int64"}}}]}}}}}}
                """),
            cleaned);
    }

    [Fact]
    public void Leaves_a_schema_gemini_already_accepts_unchanged()
    {
        const string Schema = """
            {"type":"object","properties":{"location":{"type":"string","description":"City"},"unit":{"type":"string","enum":["c","f"],"nullable":true}},"required":["location"]}
            """;

        var cleaned = Clean(Schema);

        JsonAssert.Equal(JsonAssert.Parse(Schema), cleaned);
    }

    [Fact]
    public void Keeps_an_unresolvable_reference_as_an_untyped_node_without_the_reference()
    {
        var cleaned = Clean("""{"type":"object","properties":{"x":{"$ref":"https://example.com/schemas/x.json","description":"External"}}}""");

        JsonAssert.Equal(JsonAssert.Parse("""{"type":"object","properties":{"x":{"description":"External"}}}"""), cleaned);
    }

    private static JsonNode Clean(string schema)
    {
        using var document = JsonDocument.Parse(schema);
        return JsonAssert.Parse(GeminiSchema.Clean(document.RootElement).GetRawText());
    }
}
