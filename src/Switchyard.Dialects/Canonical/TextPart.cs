namespace Switchyard.Dialects.Canonical;

public sealed record TextPart(string Text) : ContentPart
{
    /// <summary>The sources this text cites, each with its span in <see cref="Text"/>.</summary>
    public IReadOnlyList<Citation>? Citations { get; init; }
}
