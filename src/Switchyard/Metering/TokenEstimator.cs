using Switchyard.Dialects.Canonical;

namespace Switchyard.Metering;

/// <summary>
/// A tokenizer-free estimate (about four characters a token, the rule of thumb OpenAI documents)
/// for reservations, for the echo model and for streams that end without usage.
/// </summary>
internal static class TokenEstimator
{
    public static long Estimate(string text) => text.Length == 0 ? 0 : (text.Length + 3) / 4;

    public static long Estimate(ChatRequest request)
    {
        long total = 0;
        foreach (var message in request.Messages)
        {
            total += 4; // per-message framing, as chat templates add role markers
            foreach (var part in message.Parts)
            {
                total += part switch
                {
                    TextPart text => Estimate(text.Text),
                    ToolCallPart call => Estimate(call.Name) + Estimate(call.ArgumentsJson),
                    ToolResultPart result => result.Content.OfType<TextPart>().Sum(t => Estimate(t.Text)),
                    ReasoningPart reasoning => Estimate(reasoning.Text),
                    ImagePart => 765, // OpenAI's cost of a 1024x1024 high-detail image
                    _ => 0,
                };
            }
        }

        foreach (var tool in request.Tools ?? [])
        {
            total += Estimate(tool.Name) + Estimate(tool.Description ?? string.Empty) + Estimate(tool.Parameters?.GetRawText() ?? string.Empty);
        }

        return Math.Max(total, 1);
    }
}
