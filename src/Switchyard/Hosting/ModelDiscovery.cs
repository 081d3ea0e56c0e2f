using System.Text.Json;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Switchyard.Catalog;
using Switchyard.Configuration;
using Switchyard.Diagnostics;

namespace Switchyard.Hosting;

/// <summary>
/// On a zero-config start, lists the models of each OpenAI-compatible provider found in the
/// environment (<c>GET {baseUrl}/models</c>) and swaps them into the catalog. Runs after start so
/// the gateway answers at once; a provider that cannot be listed is logged and skipped.
/// </summary>
public sealed class ModelDiscovery(
    LoadedConfiguration configuration,
    CatalogMonitor catalogs,
    ServeSettings settings,
    ILogger<ModelDiscovery> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!configuration.IsZeroConfig)
        {
            return;
        }

        var discovered = new List<ModelOptions>();
        foreach (var provider in catalogs.Current.Providers.Values.Where(p => p.Type == ProviderType.OpenAI))
        {
            try
            {
                var ids = await ListAsync(provider, stoppingToken);
                discovered.AddRange(ids.Select(id => new ModelOptions { Id = id, Provider = provider.Name, Kind = GuessKind(id) }));
                logger.ModelsDiscovered(provider.Name, ids.Count);
            }
            catch (Exception exception) when (exception is HttpRequestException or JsonException or OperationCanceledException or InvalidOperationException)
            {
                if (stoppingToken.IsCancellationRequested)
                {
                    return;
                }

                logger.DiscoveryFailed(provider.Name, exception.Message);
            }
        }

        if (discovered.Count > 0)
        {
            catalogs.Swap(CatalogBuilder.Build(configuration.Options, settings.Environment, discovered));
        }
    }

    private static async Task<List<string>> ListAsync(Provider provider, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(10));
        using var request = new HttpRequestMessage(HttpMethod.Get, provider.BaseUrl + "/models");
        if (provider.ApiKey is { } key)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        }

        using var response = await provider.Invoker!.SendAsync(request, timeout.Token);
        if (!response.IsSuccessStatusCode)
        {
            throw new InvalidOperationException($"the upstream answered {(int)response.StatusCode}");
        }

        using var document = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(timeout.Token), cancellationToken: timeout.Token);
        return document.RootElement.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array
            ? data.EnumerateArray()
                .Select(m => m.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String ? id.GetString() : null)
                .OfType<string>()
                .ToList()
            : [];
    }

    /// <summary>OpenAI's listing does not say what a model is; its naming does.</summary>
    private static string GuessKind(string id) => id switch
    {
        _ when id.Contains("embed", StringComparison.OrdinalIgnoreCase) => "embedding",
        _ when id.StartsWith("dall-e", StringComparison.OrdinalIgnoreCase) || id.StartsWith("gpt-image", StringComparison.OrdinalIgnoreCase) => "image",
        _ when id.StartsWith("whisper", StringComparison.OrdinalIgnoreCase) || id.StartsWith("tts", StringComparison.OrdinalIgnoreCase)
            || id.Contains("transcribe", StringComparison.OrdinalIgnoreCase) => "audio",
        _ => "chat",
    };
}
