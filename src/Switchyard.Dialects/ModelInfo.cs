namespace Switchyard.Dialects;

/// <summary>A model as a listing shows it.</summary>
public sealed record ModelInfo(string Id, ModelKind Kind, string OwnedBy)
{
    public int? ContextWindow { get; init; }

    public int? MaxOutputTokens { get; init; }

    /// <summary>When the gateway started serving it (OpenAI's <c>created</c>).</summary>
    public long Created { get; init; }
}
