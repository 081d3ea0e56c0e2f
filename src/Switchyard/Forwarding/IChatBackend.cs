using Switchyard.Catalog;
using Switchyard.Dialects;
using Switchyard.Dialects.Canonical;

namespace Switchyard.Forwarding;

/// <summary>An upstream reached through the neutral model: an HTTP provider behind its codec, or an in-process model.</summary>
internal interface IChatBackend
{
    Task<BackendResult> CompleteAsync(ChatRequest request, Deployment deployment, UpstreamTarget target, CancellationToken cancellationToken);

    /// <summary>The upstream's stream as neutral events; a failure before any content is a first <see cref="ResponseFailed"/> event.</summary>
    IAsyncEnumerable<StreamEvent> StreamAsync(ChatRequest request, Deployment deployment, UpstreamTarget target, CancellationToken cancellationToken);
}

/// <summary>Either a response or the error that stopped it.</summary>
internal readonly record struct BackendResult(ChatResponse? Response, GatewayError? Error)
{
    public static implicit operator BackendResult(ChatResponse response) => new(response, null);

    public static implicit operator BackendResult(GatewayError error) => new(null, error);
}
