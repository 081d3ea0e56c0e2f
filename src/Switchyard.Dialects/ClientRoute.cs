namespace Switchyard.Dialects;

/// <summary>
/// One route a client dialect answers, as data: the host maps each registered route to the steps
/// its <see cref="RouteOperation"/> needs, so no host code names a dialect. Patterns use ASP.NET
/// Core's route syntax; <c>{model}</c> and <c>{id}</c> are the parameters the host reads.
/// </summary>
public sealed record ClientRoute(string Method, string Pattern, RouteOperation Operation)
{
    /// <summary>The <c>gen_ai.operation.name</c> this route reports (<c>chat</c>, <c>generate_content</c>, …).</summary>
    public string OperationName { get; init; } = "chat";

    /// <summary>Streaming decided by the path (Gemini's <c>:streamGenerateContent</c>) rather than the body.</summary>
    public bool? Stream { get; init; }

    /// <summary>A stream is one JSON array unless the query says <c>alt=sse</c> (Google's non-SSE framing).</summary>
    public bool JsonArrayUnlessAltSse { get; init; }

    /// <summary>The caller's key may come as <c>?key=</c> (Google's clients do this).</summary>
    public bool AllowsQueryKey { get; init; }

    /// <summary>The route's variant of its operation takes a batch (Gemini's <c>:batchEmbedContents</c>).</summary>
    public bool Batch { get; init; }
}
