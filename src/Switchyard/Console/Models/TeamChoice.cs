namespace Switchyard.Console.Models;

public sealed record TeamChoice(string Id, string Name);
