namespace Switchyard.Dialects;

/// <summary>
/// A tap that counts the text of the frames it relays while it parses them anyway, as
/// <see cref="RelayedText.Count"/> would, so nothing parses each frame a second time to count it.
/// </summary>
public interface ITextCountingTap
{
    /// <summary>Characters of text relayed so far (frames the tap refused as errors excluded).</summary>
    long TextCharacters { get; }
}
