using System.Text;
using System.Text.Json;

namespace Switchyard.Tests.Infrastructure;

/// <summary>The top-level properties of a JSON object as their raw bytes, for byte-level fidelity checks.</summary>
public static class RawJson
{
    /// <summary>Each top-level property's name and the exact text of its value, in document order.</summary>
    public static List<KeyValuePair<string, string>> TopLevel(byte[] json)
    {
        var reader = new Utf8JsonReader(json);
        reader.Read();
        Assert.Equal(JsonTokenType.StartObject, reader.TokenType);
        var properties = new List<KeyValuePair<string, string>>();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var name = reader.GetString()!;
            reader.Read();
            var start = (int)reader.TokenStartIndex;
            reader.Skip();
            properties.Add(new(name, Encoding.UTF8.GetString(json, start, (int)reader.BytesConsumed - start)));
        }

        return properties;
    }

    public static List<KeyValuePair<string, string>> TopLevel(string json) => TopLevel(Encoding.UTF8.GetBytes(json));
}
