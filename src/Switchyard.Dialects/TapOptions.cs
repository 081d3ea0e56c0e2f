using Switchyard.Dialects.Canonical;

namespace Switchyard.Dialects;

/// <summary>What a passthrough <see cref="IUsageTap"/> is told about its request.</summary>
public sealed record TapOptions
{
    /// <summary>The model as the client named it; answers report this id.</summary>
    public required string ClientModel { get; init; }

    /// <summary>The client asked for usage as its own final chunk (OpenAI <c>stream_options.include_usage</c>).</summary>
    public bool ClientAskedForUsageChunk { get; init; }

    /// <summary>Prices usage, where the model has pricing; the tap adds the cost to the usage it relays.</summary>
    public Func<Usage, decimal?>? Price { get; init; }

    /// <summary>Called with the final answer object, where the dialect's stream ends with one (a stored conversation keeps it).</summary>
    public Action<byte[]>? OnFinalAnswer { get; init; }
}
