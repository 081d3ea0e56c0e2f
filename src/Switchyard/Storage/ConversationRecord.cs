namespace Switchyard.Storage;

/// <summary>
/// A stored Responses answer: the whole conversation up to and including its output (as Responses
/// input items) and the response object for <c>GET /v1/responses/{id}</c>.
/// </summary>
internal sealed record ConversationRecord
{
    public required string Id { get; init; }

    public required string KeyId { get; init; }

    public required string Model { get; init; }

    /// <summary>A JSON array of Responses items: the conversation so far, ending with this response's output.</summary>
    public required string Items { get; init; }

    /// <summary>The response object as the client got it.</summary>
    public required string Response { get; init; }

    public DateTimeOffset CreatedAt { get; init; }

    public DateTimeOffset ExpiresAt { get; init; }
}
