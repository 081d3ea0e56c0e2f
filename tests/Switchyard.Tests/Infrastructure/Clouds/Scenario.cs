namespace Switchyard.Tests.Infrastructure.Clouds;

/// <summary>
/// What a client asks in the cloud end-to-end matrix. Every surface asks the same thing in its own
/// dialect, and every upstream answers the same thing in its own, so one expectation serves all.
/// </summary>
public enum Scenario
{
    /// <summary>A plain question; the answer is <see cref="Story.Hello"/>.</summary>
    Text,

    /// <summary>A question with the weather tool declared: a call, then the answer to its result.</summary>
    Tools,

    /// <summary>A question about an inline base64 PNG.</summary>
    Image,

    /// <summary>A question with reasoning asked for: the model thinks, then answers.</summary>
    Reasoning,

    /// <summary>A plain question whose answer counts tokens in every bucket its dialect has (<see cref="UpstreamScript.Metered"/>).</summary>
    Metered,
}
