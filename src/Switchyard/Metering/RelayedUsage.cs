using Switchyard.Dialects.Canonical;

namespace Switchyard.Metering;

/// <summary>
/// What a stream has relayed so far, kept up to date frame by frame, so a stream that ends early
/// (the client left, the upstream broke) is still charged for what reached the client: the usage
/// the upstream last reported, or an estimate from the text relayed when it reported none.
/// </summary>
internal sealed class RelayedUsage
{
    /// <summary>Characters of text, reasoning and tool arguments relayed to the client.</summary>
    public long TextCharacters { get; private set; }

    /// <summary>The latest usage the upstream reported (possibly partial, as Anthropic's message_start).</summary>
    public Usage? Reported { get; set; }

    /// <summary>The stream reached its dialect's normal end, so <see cref="Reported"/> is final.</summary>
    public bool Completed { get; set; }

    public void AddText(long characters) => TextCharacters += characters;

    /// <summary>Whether <see cref="ToCharge"/> has the input from the upstream, so needs no estimate of its own.</summary>
    public bool ReportedInput => (Completed && Reported is not null) || Reported?.TotalInputTokens > 0;

    /// <summary>
    /// The usage to charge: the reported usage when the stream completed with one; otherwise the
    /// reported input (or <paramref name="inputEstimate"/>) and at least the output the relayed text amounts to.
    /// </summary>
    public Usage ToCharge(long inputEstimate)
    {
        if (Completed && Reported is { } final)
        {
            return final;
        }

        var reported = Reported ?? Usage.Empty;
        var relayedOutput = TextCharacters == 0 ? 0 : (TextCharacters + 3) / 4;
        var usage = reported.TotalInputTokens > 0 ? reported : reported with { InputTokens = inputEstimate };
        return relayedOutput > usage.TotalOutputTokens
            ? usage with { OutputTokens = relayedOutput - usage.ReasoningTokens, Cost = null }
            : usage with { Cost = null };
    }
}
