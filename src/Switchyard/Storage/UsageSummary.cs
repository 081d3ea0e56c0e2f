namespace Switchyard.Storage;

/// <summary>Usage of one key on one model on one day (UTC), as <c>GET /admin/usage</c> reports it; charged to <paramref name="TeamId"/> when the key was in a team.</summary>
public sealed record UsageSummary(
    string Day,
    string KeyId,
    string Model,
    long Requests,
    long InputTokens,
    long CachedInputTokens,
    long CacheWriteTokens,
    long OutputTokens,
    long ReasoningTokens,
    decimal Cost,
    string? TeamId = null);
