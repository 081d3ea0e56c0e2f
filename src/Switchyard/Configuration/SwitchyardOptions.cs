namespace Switchyard.Configuration;

/// <summary>The configuration file (docs/configuration.md), bound from JSON and environment variables.</summary>
internal sealed class SwitchyardOptions
{
    /// <summary>The master key in clear (usually <c>env:NAME</c>); when absent, one is generated on first start and only its hash is stored.</summary>
    public string? MasterKey { get; set; }

    public StorageOptions Storage { get; set; } = new();

    public LimitsOptions Limits { get; set; } = new();

    public MediaOptions Media { get; set; } = new();

    public ConversationsOptions Conversations { get; set; } = new();

    public RoutingOptions Routing { get; set; } = new();

    public ObservabilityOptions Observability { get; set; } = new();

    public ConsoleOptions Console { get; set; } = new();

    public AlertsOptions Alerts { get; set; } = new();

    public List<ProviderOptions> Providers { get; set; } = [];

    public List<ModelOptions> Models { get; set; } = [];

    public List<KeyOptions> Keys { get; set; } = [];
}
