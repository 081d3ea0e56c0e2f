using Switchyard.Catalog;
using Switchyard.Configuration;
using Switchyard.Dialects;
using Switchyard.Forwarding;

namespace Switchyard.Providers.Native;

/// <summary>A vendor's own API reached with an API key, as its <see cref="NativeApi"/> describes it.</summary>
internal sealed class NativeProviderType(NativeApi nativeApi) : IProviderType
{
    public string Name => nativeApi.Name;

    public string TelemetryName => nativeApi.TelemetryName;

    public Dialect? DialectFor(ModelKind kind, string? api) => nativeApi.DialectFor(kind, api);

    public void Validate(ProviderOptions options, string path, Func<string, string?> environment, Action<string, string> problem)
    {
        if (nativeApi.BaseUrlRequired is { } hint && string.IsNullOrWhiteSpace(options.BaseUrl))
        {
            problem(path + ".baseUrl", $"is required for {nativeApi.Name} providers ({hint})");
        }
    }

    public Provider Compile(ProviderOptions options, ProviderContext context)
    {
        var environment = context.Environment;
        var api = nativeApi;
        var baseUrl = (options.BaseUrl is { Length: > 0 } url ? url : api.DefaultBaseUrl).TrimEnd('/');
        var key = EnvReferenceResolver.Resolve(options.ApiKey, environment);
        var (header, prefix) = api.KeyHeader;
        var defaults = api.DefaultHeaders
            .Select(h => (h.Name, Value: h.ConfigKey is { } setting && options.Settings.GetValueOrDefault(setting) is { Length: > 0 } configured ? configured : h.Value))
            .ToArray();
        return new Provider
        {
            Name = options.Name,
            Type = this,
            BaseUrl = baseUrl,
            Signer = key is null ? null : new ApiKeySigner(header, prefix + key),
            DefaultHeaders = defaults,
            ForwardedHeaders = api.ForwardedHeaders,
            Headers = options.Headers.ToDictionary(h => h.Key, h => EnvReferenceResolver.Resolve(h.Value, environment) ?? string.Empty),
            Timeout = TimeSpan.FromSeconds(options.TimeoutSeconds ?? 600),
            Retries = options.Retries,
            MaxConcurrency = options.MaxConcurrency,
            Search = options.Search ?? api.SearchByDefault(baseUrl),
            Discovery = api.Discovery,
            Invoker = UpstreamHandlerFactory.Create(),
        };
    }
}
