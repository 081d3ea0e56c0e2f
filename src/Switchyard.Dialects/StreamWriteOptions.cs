namespace Switchyard.Dialects;

/// <summary>How a client-side stream writer should shape its output.</summary>
public sealed record StreamWriteOptions
{
    /// <summary>The model id the client asked for; reported in every frame instead of the upstream's name.</summary>
    public required string Model { get; init; }

    /// <summary>OpenAI <c>stream_options.include_usage</c>: usage as its own final chunk rather than on the finish chunk.</summary>
    public bool IncludeUsageChunk { get; init; }

    /// <summary>The id the gateway gives the answer, where the dialect reports one the client can refer back to (Responses).</summary>
    public string? ResponseId { get; init; }

    /// <summary>Client metadata to echo, where the dialect carries it.</summary>
    public System.Text.Json.JsonElement? Metadata { get; init; }

    /// <summary>The request's settings the dialect's answer repeats (<see cref="Canonical.ChatRequest.Echo"/>).</summary>
    public System.Text.Json.JsonElement? Echo { get; init; }

    /// <summary>Called with the final answer object, where the dialect's stream ends with one (a stored conversation keeps it).</summary>
    public Action<byte[]>? OnFinalAnswer { get; init; }
}
