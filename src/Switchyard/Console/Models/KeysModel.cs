namespace Switchyard.Console.Models;

/// <summary>The key list, the models an allow-list can name, and after a creation the new key with its secret (shown this once).</summary>
public sealed record KeysModel(IReadOnlyList<KeyRow> Keys, IReadOnlyList<string> Models, KeyRow? Created, string? CreatedSecret, string? Error);
