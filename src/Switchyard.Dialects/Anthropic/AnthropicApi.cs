namespace Switchyard.Dialects.Anthropic;

/// <summary>Anthropic's API (provider type <c>anthropic</c>): Messages, a key in <c>x-api-key</c>, a version header on every call.</summary>
public sealed class AnthropicApi : NativeApi
{
    public static AnthropicApi Instance { get; } = new();

    public override string Name => "anthropic";

    public override string DefaultBaseUrl => "https://api.anthropic.com";

    public override (string Key, string? BaseUrl)? Environment => ("ANTHROPIC_API_KEY", null);

    public override string TelemetryName => "anthropic";

    public override (string Header, string Prefix) KeyHeader => ("x-api-key", "");

    public override IReadOnlyList<string> ForwardedHeaders { get; } = ["anthropic-version", "anthropic-beta"];

    /// <summary>https://docs.anthropic.com/en/api/versioning: every request names the API version; a provider may pin another.</summary>
    public override IReadOnlyList<DefaultHeader> DefaultHeaders { get; } = [new("anthropic-version", "2023-06-01", "anthropicVersion")];

    public override IReadOnlyList<Dialect> Dialects { get; } = [AnthropicMessagesDialect.Instance];

    public override Dialect? DialectFor(ModelKind kind, string? api) => kind == ModelKind.Chat ? AnthropicMessagesDialect.Instance : null;
}
