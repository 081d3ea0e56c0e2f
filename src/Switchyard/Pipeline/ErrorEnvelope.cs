namespace Switchyard.Pipeline;

/// <summary>Which error shape a route answers in (CONTRACT §4); admin and ops use ProblemDetails.</summary>
public enum ErrorEnvelope
{
    OpenAI,
    Anthropic,
    Gemini,
    Problem,
}
