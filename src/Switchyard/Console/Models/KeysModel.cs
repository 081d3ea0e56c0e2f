namespace Switchyard.Console.Models;

/// <summary>The key list, the models an allow-list can name, the teams, and after a creation the new key with its secret (shown this once).</summary>
public sealed record KeysModel(IReadOnlyList<KeyRow> Keys, IReadOnlyList<string> Models, IReadOnlyList<TeamChoice> Teams, KeyRow? Created, string? CreatedSecret, string? Error)
{
    public string? TeamName(string? id) => id is null ? null : Teams.FirstOrDefault(t => t.Id == id)?.Name ?? id;
}
