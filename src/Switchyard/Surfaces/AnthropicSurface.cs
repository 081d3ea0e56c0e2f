using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Switchyard.Catalog;
using Switchyard.Dialects.Anthropic;
using Switchyard.Pipeline;

namespace Switchyard.Surfaces;

/// <summary>The Anthropic routes (CONTRACT §3): Messages for every chat model, and token counting.</summary>
public static class AnthropicSurface
{
    public static IEndpointRouteBuilder MapAnthropic(this IEndpointRouteBuilder routes)
    {
        routes.MapPost("/v1/messages", (HttpContext context, GatewayPipeline pipeline) =>
            pipeline.HandleChatAsync(context, AnthropicMessagesDialect.Instance, Surface.Messages));
        routes.MapPost("/v1/messages/count_tokens", (HttpContext context, GatewayPipeline pipeline) =>
            pipeline.HandleCountTokensAsync(context));
        return routes;
    }
}
