namespace Switchyard.Console.Models;

/// <summary>The team list, with what was just done or why a creation was refused.</summary>
public sealed record TeamsModel(IReadOnlyList<TeamRow> Teams, string? Message, string? Error);
