namespace Switchyard.Tests.Infrastructure.Clouds;

/// <summary>
/// One client surface of the gateway as its users call it — the official SDK where they use one —
/// asking a <see cref="Scenario"/> and reading the answer into a <see cref="Reply"/>.
/// </summary>
public abstract class SurfaceClient
{
    public const string Chat = "chat";
    public const string Responses = "responses";
    public const string Messages = "messages";
    public const string Gemini = "gemini";

    public static IReadOnlyList<string> Names { get; } = [Chat, Responses, Messages, Gemini];

    protected static CancellationToken Cancel => TestContext.Current.CancellationToken;

    public static SurfaceClient Named(string name) => name switch
    {
        Chat => new ChatSurfaceClient(),
        Responses => new ResponsesSurfaceClient(),
        Messages => new MessagesSurfaceClient(),
        Gemini => new GeminiSurfaceClient(),
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "not a surface"),
    };

    /// <summary>The first turn of <paramref name="scenario"/>, with the gateway key <paramref name="key"/>.</summary>
    public abstract Task<Reply> AskAsync(GatewayInstance gateway, string model, Scenario scenario, bool stream, string key = GatewayInstance.UserKey);

    /// <summary>The second turn of <see cref="Scenario.Tools"/>: the conversation so far with the call of <paramref name="first"/> answered by <see cref="Story.ToolResult"/>.</summary>
    public abstract Task<Reply> AnswerToolAsync(GatewayInstance gateway, string model, Reply first, bool stream);
}
