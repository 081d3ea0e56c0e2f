using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Switchyard.Auth;
using Switchyard.Catalog;
using Switchyard.Dialects;
using Switchyard.Dialects.Gemini;
using Switchyard.Dialects.Json;
using Switchyard.Pipeline;

namespace Switchyard.Surfaces;

/// <summary>
/// The Gemini routes (CONTRACT §3) under <c>/v1beta/models</c>: the method follows the model after
/// a colon (<c>gemini-2.5-flash:streamGenerateContent</c>), so one catch-all route dispatches on it.
/// </summary>
public static class GeminiSurface
{
    public static IEndpointRouteBuilder MapGemini(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1beta/models", ListModelsAsync);
        routes.MapGet("/v1beta/models/{**name}", GetModelAsync);
        routes.MapPost("/v1beta/models/{**call}", DispatchAsync);
        return routes;
    }

    private static Task DispatchAsync(HttpContext context, string call, GatewayPipeline pipeline)
    {
        var colon = call.LastIndexOf(':');
        var model = colon > 0 ? call[..colon] : call;
        var method = colon > 0 ? call[(colon + 1)..] : string.Empty;
        var dialect = GeminiGenerateDialect.Instance;
        return method switch
        {
            "generateContent" => pipeline.HandleChatAsync(context, new ChatRoute(dialect, Surface.Gemini) { PathModel = model, PathStream = false }),
            "streamGenerateContent" => pipeline.HandleChatAsync(context, new ChatRoute(dialect, Surface.Gemini)
            {
                PathModel = model,
                PathStream = true,
                JsonArray = context.Request.Query["alt"].ToString() != "sse",
            }),
            "countTokens" => pipeline.HandleGeminiCountTokensAsync(context, model),
            "embedContent" => pipeline.HandleGeminiEmbedAsync(context, model, batch: false),
            "batchEmbedContents" => pipeline.HandleGeminiEmbedAsync(context, model, batch: true),
            _ => ErrorResponses.WriteAsync(context, new GatewayError(GatewayErrorKind.NotFound, $"Method '{method}' is not supported on models."), ErrorEnvelope.Gemini, dialect),
        };
    }

    private static async Task ListModelsAsync(HttpContext context, GatewayPipeline pipeline, CatalogMonitor catalogs)
    {
        if (await AuthenticateAsync(context, pipeline) is not { } caller)
        {
            return;
        }

        using var buffer = new PooledBufferWriter();
        using (var writer = new Utf8JsonWriter(buffer, JsonWire.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("models"u8);
            foreach (var model in catalogs.Current.Ordered)
            {
                if (caller.MayUse(model.Id) && model.Surfaces.Contains(Surface.Gemini))
                {
                    WriteModel(writer, model);
                }
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        await WriteJsonAsync(context, buffer);
    }

    private static async Task GetModelAsync(HttpContext context, string name, GatewayPipeline pipeline, CatalogMonitor catalogs)
    {
        if (await AuthenticateAsync(context, pipeline) is not { } caller)
        {
            return;
        }

        var id = name.StartsWith("models/", StringComparison.Ordinal) ? name[7..] : name;
        if (catalogs.Current.Find(id) is not { } model || !caller.MayUse(id))
        {
            await ErrorResponses.WriteAsync(context, new GatewayError(GatewayErrorKind.ModelNotFound, $"models/{id} is not found."), ErrorEnvelope.Gemini, GeminiGenerateDialect.Instance);
            return;
        }

        using var buffer = new PooledBufferWriter();
        using (var writer = new Utf8JsonWriter(buffer, JsonWire.WriterOptions))
        {
            WriteModel(writer, model);
        }

        await WriteJsonAsync(context, buffer);
    }

    /// <summary>A Gemini <c>Model</c> resource (https://ai.google.dev/api/models#Model).</summary>
    private static void WriteModel(Utf8JsonWriter writer, ModelEntry model)
    {
        writer.WriteStartObject();
        writer.WriteString("name"u8, "models/" + model.Id);
        writer.WriteString("baseModelId"u8, model.Id);
        writer.WriteString("version"u8, "001"u8);
        writer.WriteString("displayName"u8, model.Id);
        if (model.ContextWindow is int window)
        {
            writer.WriteNumber("inputTokenLimit"u8, window);
        }

        if (model.MaxOutputTokens is int output)
        {
            writer.WriteNumber("outputTokenLimit"u8, output);
        }

        writer.WriteStartArray("supportedGenerationMethods"u8);
        if (model.Kind == ModelKind.Embedding)
        {
            writer.WriteStringValue("embedContent"u8);
            writer.WriteStringValue("batchEmbedContents"u8);
        }
        else
        {
            writer.WriteStringValue("generateContent"u8);
            writer.WriteStringValue("streamGenerateContent"u8);
            writer.WriteStringValue("countTokens"u8);
        }

        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static async Task<Caller?> AuthenticateAsync(HttpContext context, GatewayPipeline pipeline)
    {
        try
        {
            return await pipeline.AuthenticateAsync(context);
        }
        catch (GatewayException exception)
        {
            await ErrorResponses.WriteAsync(context, exception.Error, ErrorEnvelope.Gemini, GeminiGenerateDialect.Instance);
            return null;
        }
    }

    private static async Task WriteJsonAsync(HttpContext context, PooledBufferWriter buffer)
    {
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.WrittenCount;
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }
}
