namespace Switchyard.Configuration;

/// <summary>Responses kept for <c>previous_response_id</c>.</summary>
internal sealed class ConversationsOptions
{
    /// <summary>Days a stored response can be read or continued (default 30).</summary>
    public double RetentionDays { get; set; } = 30;
}
