namespace Switchyard.Tests.Infrastructure.Clouds;

/// <summary>A tool call as a client saw it; <see cref="Arguments"/> is the JSON text.</summary>
public sealed record ReplyCall(string Id, string Name, string Arguments);
