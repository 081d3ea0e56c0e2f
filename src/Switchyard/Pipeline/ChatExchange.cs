using Microsoft.AspNetCore.Http;
using Switchyard.Auth;
using Switchyard.Catalog;
using Switchyard.Dialects;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;

namespace Switchyard.Pipeline;

/// <summary>
/// One conversational request on its way through the pipeline: the raw body (for passthrough),
/// the neutral request (parsed only if some attempt needs translation), and what the client asked.
/// </summary>
public sealed class ChatExchange
{
    private ChatRequest? _request;

    public required HttpContext Context { get; init; }

    public required Caller Caller { get; init; }

    /// <summary>The client's dialect.</summary>
    public required ChatDialect Surface { get; init; }

    public required ReadOnlyMemory<byte> Body { get; init; }

    public required JsonTopLevel TopLevel { get; init; }

    /// <summary>The model id as the client named it; every answer reports this id.</summary>
    public required string ModelId { get; init; }

    public required ModelEntry Model { get; init; }

    public required bool Stream { get; init; }

    public required RequestTimings Timings { get; init; }

    public ParamAdjustments Adjustments { get; } = new();

    /// <summary>The neutral request, parsed on first use with the surface's codec.</summary>
    public ChatRequest Request => _request ??= Surface.ReadRequest(Body, Adjustments);

    public CancellationToken Aborted => Context.RequestAborted;
}
