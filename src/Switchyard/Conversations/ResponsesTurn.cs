using Switchyard.Dialects.Json;

namespace Switchyard.Conversations;

/// <summary>A Responses request with its conversation resolved: the body to serve and what to store after.</summary>
public sealed class ResponsesTurn
{
    /// <summary>The body with any <c>previous_response_id</c> replaced by the conversation's items.</summary>
    public required ReadOnlyMemory<byte> Body { get; init; }

    public required JsonTopLevel TopLevel { get; init; }

    /// <summary>The whole input as Responses items (a JSON array), to store with the answer.</summary>
    public required byte[] InputItems { get; init; }

    /// <summary>False when the client set <c>store: false</c>: nothing is kept.</summary>
    public required bool Store { get; init; }

    /// <summary>
    /// What the answer repeats of the client's own request (<see cref="Dialects.Canonical.ChatRequest.Echo"/>),
    /// read before the rebuild removed <c>previous_response_id</c>; null when nothing was rebuilt.
    /// </summary>
    public System.Text.Json.JsonElement? Echo { get; init; }

    /// <summary>The id the gateway gives a translated answer (passthrough answers keep the upstream's).</summary>
    public string ResponseId { get; } = Dialects.OpenAI.Responses.ResponseIds.New();

    /// <summary>The final response object as the client got it, captured by the forwarder.</summary>
    public byte[]? FinalResponse { get; set; }
}
