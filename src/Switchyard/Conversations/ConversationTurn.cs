using Switchyard.Dialects;

namespace Switchyard.Conversations;

/// <summary>One turn of a stored conversation: the items to store with its answer, and the answer once it is written.</summary>
internal sealed class ConversationTurn(IStoredConversation dialect)
{
    public IStoredConversation Dialect => dialect;

    /// <summary>The whole input as the dialect's items (a JSON array), to store with the answer.</summary>
    public required byte[] InputItems { get; init; }

    /// <summary>False when the client asked not to store the answer: nothing is kept.</summary>
    public required bool Store { get; init; }

    /// <summary>
    /// What the answer repeats of the client's own request (<see cref="Dialects.Canonical.ChatRequest.Echo"/>),
    /// read before a continuation rewrote the body; null when nothing was rewritten.
    /// </summary>
    public System.Text.Json.JsonElement? Echo { get; init; }

    /// <summary>The id the gateway gives a translated answer (passthrough answers keep the upstream's).</summary>
    public string ResponseId { get; } = dialect.NewAnswerId();

    /// <summary>The final answer object as the client got it, captured by the forwarder.</summary>
    public byte[]? FinalResponse { get; set; }
}
