namespace Switchyard.Console.Models;

/// <summary>The request log's filters as the form sends them (empty = any).</summary>
public sealed record RequestFilter(string Since, string Until, string KeyId, string TeamId, string Model, string Status, string Surface, int Page)
{
    /// <summary>The query string of these filters on another page.</summary>
    public string Query(int page) =>
        $"since={Uri.EscapeDataString(Since)}&until={Uri.EscapeDataString(Until)}&keyId={Uri.EscapeDataString(KeyId)}&teamId={Uri.EscapeDataString(TeamId)}&model={Uri.EscapeDataString(Model)}" +
        $"&status={Uri.EscapeDataString(Status)}&surface={Uri.EscapeDataString(Surface)}&page={page}";
}
