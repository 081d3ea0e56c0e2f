using System.Text.Json;
using Switchyard.Dialects.Canonical;

namespace Switchyard.Dialects.Json;

/// <summary>A web search's approximate user location, in the shape OpenAI and Anthropic share (<c>city</c>, <c>region</c>, <c>country</c>, <c>timezone</c>).</summary>
internal static class UserLocationFields
{
    /// <summary>Writes the fields the location has into the object being written.</summary>
    public static void Write(Utf8JsonWriter writer, UserLocation location)
    {
        if (location.City is { } city)
        {
            writer.WriteString("city"u8, city);
        }

        if (location.Region is { } region)
        {
            writer.WriteString("region"u8, region);
        }

        if (location.Country is { } country)
        {
            writer.WriteString("country"u8, country);
        }

        if (location.Timezone is { } timezone)
        {
            writer.WriteString("timezone"u8, timezone);
        }
    }
}
