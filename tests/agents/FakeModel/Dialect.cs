using System.Text.Json.Nodes;

namespace Switchyard.Agents.FakeModel;

/// <summary>One upstream API the fake speaks: how it authenticates, reads a request, answers, and refuses.</summary>
internal abstract class Dialect
{
    /// <summary>The path prefix the fake serves this dialect under, and its name in the log.</summary>
    public abstract string Name { get; }

    /// <summary>A new tool call id in this API's style.</summary>
    public abstract string NewCallId();

    /// <summary>Whether the request carries <paramref name="key"/> the way this API expects it.</summary>
    public abstract bool IsAuthenticated(HttpRequest request, string key);

    /// <summary>Reads and validates a model request as the real API would; throws <see cref="ApiRejection"/> where it would refuse.</summary>
    public abstract ParsedRequest Read(JsonObject body);

    public abstract Task WriteAnswerAsync(HttpContext context, ParsedRequest request, Answer answer);

    public abstract Task WriteErrorAsync(HttpContext context, int status, string message);

    /// <summary>The text of a content value that is either a string or an array of parts with <c>text</c>.</summary>
    protected static string Text(JsonNode? content) => content switch
    {
        JsonValue value when value.TryGetValue<string>(out var text) => text,
        JsonArray parts => string.Join("\n", parts.Select(p => p is JsonObject part ? Text(part["text"] ?? part["content"]) : Text(p)).Where(t => t.Length > 0)),
        null => "",
        _ => content.ToJsonString(),
    };

    protected static string? String(JsonNode? node) => node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>A rough token count (four characters a token), for usage fields.</summary>
    protected static int Tokens(string text) => Math.Max(1, text.Length / 4);

    protected static async Task WriteJsonAsync(HttpContext context, JsonNode body, int status = 200)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(body.ToJsonString(), context.RequestAborted);
    }

    protected static void StartStream(HttpContext context)
    {
        context.Response.StatusCode = 200;
        context.Response.ContentType = "text/event-stream";
        context.Response.Headers.CacheControl = "no-cache";
    }

    /// <summary>Writes one server-sent event and flushes it, as the real APIs stream.</summary>
    protected static async Task WriteEventAsync(HttpContext context, string? eventName, string data)
    {
        var frame = eventName is null ? $"data: {data}\n\n" : $"event: {eventName}\ndata: {data}\n\n";
        await context.Response.WriteAsync(frame, context.RequestAborted);
        await context.Response.Body.FlushAsync(context.RequestAborted);
    }
}
