using System.Text.Encodings.Web;
using System.Text.Json;

namespace Switchyard.Dialects.Json;

/// <summary>
/// Writer settings for wire JSON. Providers send plain UTF-8 with only the escapes JSON requires;
/// the default encoder's HTML-safe escaping (<c>\u0022</c> for a quote) is valid but bloats and
/// differs from what clients see from the providers themselves.
/// </summary>
public static class JsonWire
{
    public static JsonWriterOptions WriterOptions { get; } = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, SkipValidation = false };
}
