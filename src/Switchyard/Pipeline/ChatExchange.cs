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

    /// <summary>Stream as a JSON array rather than SSE (Gemini without alt=sse).</summary>
    public bool JsonArray { get; init; }

    public ParamAdjustments Adjustments { get; } = new();

    /// <summary>The Responses conversation this request continues and records, on the Responses surface.</summary>
    public Conversations.ResponsesTurn? Turn { get; init; }

    /// <summary>Kept current as a stream is relayed, so an abandoned stream is charged for what it relayed.</summary>
    public Metering.RelayedUsage? Relayed { get; init; }

    /// <summary>Images given by URL have been fetched into the request (see <see cref="Media.ImageInliner"/>).</summary>
    public bool ImagesInlined { get; set; }

    /// <summary>
    /// The neutral request, parsed on first use with the surface's codec; its model and streaming
    /// are what the client asked for in the body or the path.
    /// </summary>
    public ChatRequest Request
    {
        get
        {
            if (_request is null)
            {
                _request = Surface.ReadRequest(Body, Adjustments);
                _request.Echo = Turn?.Echo ?? _request.Echo;
                _request.Model = ModelId;
                _request.Stream = Stream;
            }

            return _request;
        }
    }

    public CancellationToken Aborted => Context.RequestAborted;
}
