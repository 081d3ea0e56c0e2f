namespace Switchyard.Configuration;

/// <summary>The <c>observability</c> section: metrics access, OTLP export, tracing.</summary>
internal static class ObservabilityOptionsValidator
{
    public static readonly string[] MetricsAuthModes = [ObservabilityOptions.Open, ObservabilityOptions.MasterKey, ObservabilityOptions.Token];
    public static readonly string[] OtlpProtocols = ["grpc", "http/protobuf"];

    public static void Validate(ConfigurationCheck check)
    {
        var observability = check.Options.Observability;
        if (!MetricsAuthModes.Contains(observability.MetricsAuth))
        {
            check.Problem("observability.metricsAuth", $"'{observability.MetricsAuth}' is not one of {string.Join(", ", MetricsAuthModes)}");
        }

        check.Reference("observability.metricsToken", observability.MetricsToken);
        if (observability.MetricsAuth == ObservabilityOptions.Token && check.Resolve(observability.MetricsToken) is not { Length: >= 16 })
        {
            // A scrape token guards operational data; a short one is guessable.
            check.Problem("observability.metricsToken", "is required for metricsAuth 'token' and must be at least 16 characters");
        }

        if (observability.OtlpEndpoint is { Length: > 0 } endpoint
            && (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || (uri.Scheme != "http" && uri.Scheme != "https")))
        {
            check.Problem("observability.otlpEndpoint", $"'{endpoint}' is not an absolute http(s) URL");
        }

        if (!OtlpProtocols.Contains(observability.OtlpProtocol))
        {
            check.Problem("observability.otlpProtocol", $"'{observability.OtlpProtocol}' is not one of {string.Join(", ", OtlpProtocols)}");
        }

        foreach (var (name, value) in observability.OtlpHeaders)
        {
            check.Reference($"observability.otlpHeaders.{name}", value);
        }

        if (observability.TraceSampleRatio is < 0 or > 1 || double.IsNaN(observability.TraceSampleRatio))
        {
            check.Problem("observability.traceSampleRatio", "must be between 0 and 1");
        }

        if (string.IsNullOrWhiteSpace(observability.ServiceName))
        {
            check.Problem("observability.serviceName", "must not be empty");
        }
    }
}
