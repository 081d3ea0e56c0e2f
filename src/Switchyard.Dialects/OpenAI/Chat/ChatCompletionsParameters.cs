namespace Switchyard.Dialects.OpenAI.Chat;

/// <summary>
/// The numeric ranges OpenAI documents for Chat Completions parameters. Values outside are clamped
/// (docs/behaviour.md) on both the translated and the passthrough path, so both report the same adjustments.
/// </summary>
public static class ChatCompletionsParameters
{
    public static IReadOnlyList<ParameterRange> Ranges { get; } =
    [
        new("temperature", 0, 2),
        new("top_p", 0, 1),
        new("presence_penalty", -2, 2),
        new("frequency_penalty", -2, 2),
        new("top_logprobs", 0, 20),
        new("n", 1, 128),
        new("max_tokens", 1, int.MaxValue),
        new("max_completion_tokens", 1, int.MaxValue),
    ];

    /// <summary>Clamps <paramref name="value"/> into the range of <paramref name="name"/>, recording any change.</summary>
    public static double? Clamp(string name, double? value, ParamAdjustments adjustments)
    {
        if (value is not double actual)
        {
            return null;
        }

        foreach (var (rangeName, min, max) in Ranges)
        {
            if (rangeName == name)
            {
                var clamped = Math.Clamp(actual, min, max);
                if (clamped != actual)
                {
                    adjustments.Clamped(name, actual, clamped);
                }

                return clamped;
            }
        }

        return actual;
    }
}
