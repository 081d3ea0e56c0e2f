using Switchyard.Metering;

namespace Switchyard.Console.Models;

/// <summary>One request: its log row and its key's name. Prompts and completions are never stored, so never shown.</summary>
public sealed record RequestModel(UsageRecord Row, string KeyName);
