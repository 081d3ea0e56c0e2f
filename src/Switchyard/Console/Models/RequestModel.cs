using Switchyard.Metering;

namespace Switchyard.Console.Models;

/// <summary>One request: its log row, its key's name and its team's. Prompts and completions are never stored, so never shown.</summary>
public sealed record RequestModel(UsageRecord Row, string KeyName, string? TeamName);
