namespace Switchyard.Dialects.Canonical;

/// <summary>Why the model stopped, in no dialect's words: each dialect's codec maps its own reasons to and from these.</summary>
public enum FinishReason
{
    /// <summary>A natural end of the answer.</summary>
    Stop,

    /// <summary>The output cap or the context window was reached.</summary>
    Length,

    /// <summary>The model stopped to have its tool calls run.</summary>
    ToolCalls,

    /// <summary>A safety system withheld or cut the answer.</summary>
    ContentFilter,

    /// <summary>A stop sequence matched (Anthropic reports it apart from a natural stop).</summary>
    StopSequence,

    /// <summary>The model declined to answer.</summary>
    Refusal,

    /// <summary>A reason the upstream's dialect names that has no neutral equivalent; written as each dialect's plain stop.</summary>
    Other,
}
