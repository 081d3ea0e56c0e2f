namespace Switchyard.Agents.FakeModel;

/// <summary>Where a request stands in the scripted session; recorded with it for the check.</summary>
internal enum Phase
{
    /// <summary>Not part of the scripted session (a title, a classifier, a JSON side question).</summary>
    Side,

    /// <summary>Turn one's prompt, answered with the file-writing tool call.</summary>
    TurnOneCall,

    /// <summary>Turn one's prompt, but no tool the fake knows how to write a file with was offered.</summary>
    TurnOneNoTool,

    /// <summary>Turn one after the tool result came back, answered with text.</summary>
    TurnOneDone,

    /// <summary>The follow-up prompt of the same session, answered with text.</summary>
    TurnTwo,
}
