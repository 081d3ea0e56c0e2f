using System.Globalization;

namespace Switchyard.Configuration;

/// <summary>
/// Checks a whole configuration and reports every problem at once, each with its path
/// (<c>models[3].provider: 'gem2' is not a provider</c>). <c>serve</c> and <c>config check</c> run this same code.
/// </summary>
internal static class SwitchyardOptionsValidator
{
    public static readonly string[] ModelKinds = ["chat", "embedding", "image", "audio"];
    public static readonly string[] StorageKinds = ["sqlite", "postgres"];
    public static readonly string[] MetricsAuthModes = [ObservabilityOptions.Open, ObservabilityOptions.MasterKey, ObservabilityOptions.Token];
    public static readonly string[] OtlpProtocols = ["grpc", "http/protobuf"];

    public const int MinimumMasterKeyLength = 32;

    public static IReadOnlyList<string> Validate(SwitchyardOptions options, Func<string, string?> environment)
    {
        var problems = new List<string>();
        void Problem(string path, string message) => problems.Add($"{path}: {message}");

        CheckReference("masterKey", options.MasterKey);
        if (EnvReferenceResolver.Resolve(options.MasterKey, environment) is { Length: > 0 and < MinimumMasterKeyLength })
        {
            // The master key opens every key and the ledger; a short one falls to guessing.
            Problem("masterKey", $"must be at least {MinimumMasterKeyLength} characters (a generated one is 46)");
        }

        if (!StorageKinds.Contains(options.Storage.Kind))
        {
            Problem("storage.kind", $"'{options.Storage.Kind}' is not one of {string.Join(", ", StorageKinds)}");
        }
        else if (options.Storage.Kind == "postgres" && string.IsNullOrWhiteSpace(EnvReferenceResolver.Resolve(options.Storage.ConnectionString, environment)))
        {
            Problem("storage.connectionString", "is required for postgres storage");
        }
        else if (options.Storage.Kind == "sqlite" && string.IsNullOrWhiteSpace(options.Storage.Path))
        {
            Problem("storage.path", "is required for sqlite storage");
        }

        if (options.Limits.MaxBodyBytes <= 0)
        {
            Problem("limits.maxBodyBytes", "must be positive");
        }

        if (options.Limits.MaxBufferedBytes < options.Limits.MaxBodyBytes)
        {
            Problem("limits.maxBufferedBytes", "must be at least limits.maxBodyBytes, or no body of the largest size could be read");
        }

        if (options.Limits.MinBodyBytesPerSecond < 0 || double.IsNaN(options.Limits.MinBodyBytesPerSecond))
        {
            Problem("limits.minBodyBytesPerSecond", "must not be negative (0 turns the check off)");
        }

        var routing = options.Routing;
        if (routing.MaxAttempts < 1)
        {
            Problem("routing.maxAttempts", "must be at least 1");
        }

        if (routing.RetryBudgetSeconds <= 0 || routing.QueueTimeoutSeconds <= 0 || routing.BenchSeconds <= 0 || routing.BackoffMilliseconds < 0)
        {
            Problem("routing", "retryBudgetSeconds, queueTimeoutSeconds and benchSeconds must be positive, backoffMilliseconds not negative");
        }

        if (routing.MaxQueue < 0 || routing.BenchAfterFailures < 1)
        {
            Problem("routing", "maxQueue must not be negative and benchAfterFailures must be at least 1");
        }

        if (options.Conversations.RetentionDays <= 0)
        {
            Problem("conversations.retentionDays", "must be positive");
        }

        if (options.Media.MaxBytes <= 0)
        {
            Problem("media.maxBytes", "must be positive");
        }

        foreach (var (name, value) in new (string, long)[]
        {
            ("media.maxImages", options.Media.MaxImages),
            ("media.maxInlineBytes", options.Media.MaxInlineBytes),
            ("media.maxUploadFields", options.Media.MaxUploadFields),
            ("media.maxUploadFieldBytes", options.Media.MaxUploadFieldBytes),
        })
        {
            if (value <= 0)
            {
                Problem(name, "must be positive");
            }
        }

        CheckObservability(options.Observability);
        ConsoleOptionsValidator.Validate(options, environment, Problem);

        var providers = new Dictionary<string, ProviderOptions>(StringComparer.Ordinal);
        for (var i = 0; i < options.Providers.Count; i++)
        {
            var provider = options.Providers[i];
            var path = Path("providers", i);
            if (string.IsNullOrWhiteSpace(provider.Name))
            {
                Problem(path + ".name", "is required");
            }
            else if (!providers.TryAdd(provider.Name, provider))
            {
                Problem(path + ".name", $"'{provider.Name}' is already the name of another provider");
            }

            if (Providers.ProviderTypes.Find(provider.Type) is not { } type)
            {
                Problem(path + ".type", $"'{provider.Type}' is not one of {Providers.ProviderTypes.Names}");
            }
            else
            {
                type.Validate(provider, path, environment, Problem);
            }

            if (provider.BaseUrl is { Length: > 0 } baseUrl
                && (!Uri.TryCreate(baseUrl, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https")))
            {
                Problem(path + ".baseUrl", $"'{baseUrl}' is not an absolute http(s) URL");
            }

            CheckReference(path + ".apiKey", provider.ApiKey);
            if (provider.TimeoutSeconds is <= 0)
            {
                Problem(path + ".timeoutSeconds", "must be positive");
            }

            if (provider.Retries < 0)
            {
                Problem(path + ".retries", "must not be negative");
            }

            if (provider.MaxConcurrency is <= 0)
            {
                Problem(path + ".maxConcurrency", "must be positive");
            }
        }

        var modelIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var model in options.Models)
        {
            if (!string.IsNullOrWhiteSpace(model.Id))
            {
                modelIds.Add(model.Id);
            }
        }

        var seenModels = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Models.Count; i++)
        {
            var model = options.Models[i];
            var path = Path("models", i);
            if (string.IsNullOrWhiteSpace(model.Id))
            {
                Problem(path + ".id", "is required");
            }
            else if (!seenModels.Add(model.Id))
            {
                Problem(path + ".id", $"'{model.Id}' is already the id of another model");
            }

            if (!ModelKinds.Contains(model.Kind))
            {
                Problem(path + ".kind", $"'{model.Kind}' is not one of {string.Join(", ", ModelKinds)}");
            }

            if (model.Provider is null && model.Deployments.Count == 0)
            {
                Problem(path, "needs a provider or at least one deployment");
            }
            else if (model.Provider is not null && model.Deployments.Count > 0)
            {
                Problem(path, "has both provider and deployments; use one");
            }

            if (model.Provider is not null)
            {
                CheckDeployment(path, model.Provider, model.Api, model.Kind);
            }

            for (var d = 0; d < model.Deployments.Count; d++)
            {
                var deployment = model.Deployments[d];
                var deploymentPath = Path(path + ".deployments", d);
                CheckDeployment(deploymentPath, deployment.Provider, deployment.Api ?? model.Api, model.Kind);
                if (deployment.Weight <= 0)
                {
                    Problem(deploymentPath + ".weight", "must be positive");
                }
            }

            if (model.Api is { } api && api != "chat" && api != "responses")
            {
                Problem(path + ".api", $"'{api}' is not one of chat, responses");
            }

            if (model.Endpoints is { } endpoints)
            {
                for (var e = 0; e < endpoints.Count; e++)
                {
                    if (Dialects.DialectRegistry.FindSurface(endpoints[e]) is not { } surface)
                    {
                        Problem(Path(path + ".endpoints", e), $"'{endpoints[e]}' is not one of {string.Join(", ", Dialects.DialectRegistry.Surfaces.Select(s => s.Name))}");
                    }
                    else if (Catalog.ModelKinds.TryParse(model.Kind, out var kind) && !surface.Serves(kind))
                    {
                        Problem(Path(path + ".endpoints", e), $"'{endpoints[e]}' does not serve {model.Kind} models");
                    }
                }
            }

            for (var f = 0; f < model.Fallbacks.Count; f++)
            {
                var fallback = model.Fallbacks[f];
                if (fallback == model.Id)
                {
                    Problem(Path(path + ".fallbacks", f), "a model cannot fall back to itself");
                }
                else if (!modelIds.Contains(fallback))
                {
                    Problem(Path(path + ".fallbacks", f), $"'{fallback}' is not a model");
                }
            }

            if (model.ContextWindow is <= 0)
            {
                Problem(path + ".contextWindow", "must be positive");
            }

            if (model.MaxOutputTokens is <= 0)
            {
                Problem(path + ".maxOutputTokens", "must be positive");
            }

            if (model.Pricing is { } pricing
                && (pricing.InputPerMTok < 0 || pricing.OutputPerMTok < 0 || pricing.CachedInputPerMTok < 0
                    || pricing.CacheWritePerMTok < 0 || pricing.ReasoningPerMTok < 0 || pricing.MinimumCharge < 0
                    || pricing.WebSearchPerCall < 0))
            {
                Problem(path + ".pricing", "prices must not be negative");
            }
        }

        var keys = new HashSet<string>(StringComparer.Ordinal);
        var keyNames = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < options.Keys.Count; i++)
        {
            var key = options.Keys[i];
            var path = Path("keys", i);
            CheckReference(path + ".key", key.Key);
            var secret = EnvReferenceResolver.Resolve(key.Key, environment);
            if (string.IsNullOrWhiteSpace(key.Key))
            {
                Problem(path + ".key", "is required");
            }
            else if (secret is { Length: < 8 })
            {
                Problem(path + ".key", "must be at least 8 characters");
            }
            else if (secret is not null && !keys.Add(secret))
            {
                Problem(path + ".key", "is the same as another key's");
            }

            if (string.IsNullOrWhiteSpace(key.Name))
            {
                Problem(path + ".name", "is required");
            }
            else if (!Auth.ConfiguredKeyIds.IsValidName(key.Name))
            {
                Problem(path + ".name", $"'{key.Name}' must be 1 to {Auth.ConfiguredKeyIds.MaxNameLength} letters, digits, '-', '_' or '.' (the key's id is cfg_ and its name)");
            }
            else if (!keyNames.Add(key.Name))
            {
                Problem(path + ".name", $"'{key.Name}' is already the name of another key");
            }

            for (var m = 0; m < (key.AllowedModels?.Count ?? 0); m++)
            {
                if (!modelIds.Contains(key.AllowedModels![m]))
                {
                    Problem(Path(path + ".allowedModels", m), $"'{key.AllowedModels[m]}' is not a model");
                }
            }

            if (key.Rpm is <= 0)
            {
                Problem(path + ".rpm", "must be positive");
            }

            if (key.Tpm is <= 0)
            {
                Problem(path + ".tpm", "must be positive");
            }

            if (key.MaxConcurrent is <= 0)
            {
                Problem(path + ".maxConcurrent", "must be positive");
            }

            if (key.Credits is < 0)
            {
                Problem(path + ".credits", "must not be negative");
            }
        }

        return problems;

        void CheckDeployment(string path, string provider, string? api, string kind)
        {
            if (!providers.TryGetValue(provider, out var found))
            {
                Problem(path + ".provider", $"'{provider}' is not a provider");
                return;
            }

            if (Providers.ProviderTypes.Find(found.Type) is not { } type || !Catalog.ModelKinds.TryParse(kind, out var modelKind))
            {
                return;
            }

            if (!type.Serves(modelKind))
            {
                var serving = Providers.ProviderTypes.All.Where(t => t.Serves(modelKind)).Select(t => t.Name);
                Problem(path + ".provider", $"{kind} models are served by {string.Join(", ", serving)} providers only; '{provider}' is {found.Type}");
            }
            else if (api is { } chosen && chosen != "chat" && !type.InProcess && type.DialectFor(modelKind, chosen) == type.DialectFor(modelKind, null))
            {
                var accepting = Providers.ProviderTypes.All.Where(t => !t.InProcess && t.DialectFor(modelKind, chosen) != t.DialectFor(modelKind, null)).Select(t => t.Name);
                Problem(path + ".api", $"'{chosen}' applies to {string.Join(", ", accepting)} providers only; '{provider}' is {found.Type}");
            }
        }

        void CheckObservability(ObservabilityOptions observability)
        {
            if (!MetricsAuthModes.Contains(observability.MetricsAuth))
            {
                Problem("observability.metricsAuth", $"'{observability.MetricsAuth}' is not one of {string.Join(", ", MetricsAuthModes)}");
            }

            CheckReference("observability.metricsToken", observability.MetricsToken);
            if (observability.MetricsAuth == ObservabilityOptions.Token
                && EnvReferenceResolver.Resolve(observability.MetricsToken, environment) is not { Length: >= 16 })
            {
                // A scrape token guards operational data; a short one is guessable.
                Problem("observability.metricsToken", "is required for metricsAuth 'token' and must be at least 16 characters");
            }

            if (observability.OtlpEndpoint is { Length: > 0 } endpoint
                && (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https")))
            {
                Problem("observability.otlpEndpoint", $"'{endpoint}' is not an absolute http(s) URL");
            }

            if (!OtlpProtocols.Contains(observability.OtlpProtocol))
            {
                Problem("observability.otlpProtocol", $"'{observability.OtlpProtocol}' is not one of {string.Join(", ", OtlpProtocols)}");
            }

            foreach (var (name, value) in observability.OtlpHeaders)
            {
                CheckReference($"observability.otlpHeaders.{name}", value);
            }

            if (observability.TraceSampleRatio is < 0 or > 1 || double.IsNaN(observability.TraceSampleRatio))
            {
                Problem("observability.traceSampleRatio", "must be between 0 and 1");
            }

            if (string.IsNullOrWhiteSpace(observability.ServiceName))
            {
                Problem("observability.serviceName", "must not be empty");
            }
        }

        void CheckReference(string path, string? value)
        {
            if (EnvReferenceResolver.IsReference(value) && EnvReferenceResolver.Resolve(value, environment) is null)
            {
                Problem(path, $"environment variable {value![EnvReferenceResolver.Prefix.Length..]} is not set");
            }
        }
    }

    private static string Path(string collection, int index) => string.Create(CultureInfo.InvariantCulture, $"{collection}[{index}]");
}
