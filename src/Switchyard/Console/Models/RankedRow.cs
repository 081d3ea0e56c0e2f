namespace Switchyard.Console.Models;

/// <summary>A model or key with its requests, tokens and credits over a range; <see cref="Label"/> is a key's name.</summary>
public sealed record RankedRow(string Id, string Label, long Requests, long Tokens, decimal Cost);
