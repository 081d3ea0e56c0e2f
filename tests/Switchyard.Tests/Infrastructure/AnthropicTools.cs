using System.Text.Json;
using Anthropic.Models.Messages;

namespace Switchyard.Tests.Infrastructure;

/// <summary>Client tools as the official Anthropic SDK declares them.</summary>
public static class AnthropicTools
{
    public static Tool Weather() => new()
    {
        Name = "get_weather",
        Description = "Weather for a city",
        InputSchema = new InputSchema
        {
            Properties = new Dictionary<string, JsonElement> { ["city"] = JsonDocument.Parse("""{"type":"string"}""").RootElement },
            Required = ["city"],
        },
    };

    public static Tool Time() => new()
    {
        Name = "get_time",
        Description = "Local time in a zone",
        InputSchema = new InputSchema
        {
            Properties = new Dictionary<string, JsonElement> { ["zone"] = JsonDocument.Parse("""{"type":"string"}""").RootElement },
        },
    };
}
