using Switchyard.Catalog;
using Switchyard.Configuration;
using Switchyard.Dialects;

namespace Switchyard.Providers.Echo;

/// <summary>The built-in echo model's provider: in process, any chat model kind, no settings.</summary>
internal sealed class EchoProviderType : IProviderType
{
    public static EchoProviderType Instance { get; } = new();

    public string Name => "echo";

    public string TelemetryName => "switchyard.echo";

    public bool InProcess => true;

    public Dialect? DialectFor(ModelKind kind, string? api) => null;

    public bool Serves(ModelKind kind) => kind is ModelKind.Chat or ModelKind.Embedding;

    public void Validate(ProviderOptions options, string path, Func<string, string?> environment, Action<string, string> problem)
    {
    }

    public Provider Compile(ProviderOptions options, ProviderContext context) => new()
    {
        Name = options.Name,
        Type = this,
        BaseUrl = "echo:",
        Timeout = TimeSpan.FromSeconds(options.TimeoutSeconds ?? 600),
        Retries = options.Retries,
        MaxConcurrency = options.MaxConcurrency,
    };
}
