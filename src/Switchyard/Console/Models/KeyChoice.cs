namespace Switchyard.Console.Models;

public sealed record KeyChoice(string Id, string Name);
