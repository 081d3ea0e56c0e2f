using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Switchyard.Auth;
using Switchyard.Catalog;
using Switchyard.Dialects;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.OpenAI.Chat;
using Switchyard.Dialects.OpenAI.Completions;
using Switchyard.Dialects.OpenAI.Responses;
using Switchyard.Pipeline;
using Switchyard.Storage;

namespace Switchyard.Surfaces;

/// <summary>The OpenAI routes (CONTRACT §3), under <c>/v1</c> and again under Gemini's <c>/v1beta/openai</c>.</summary>
public static class OpenAISurface
{
    private static readonly long Created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public static IEndpointRouteBuilder MapOpenAI(this IEndpointRouteBuilder routes)
    {
        foreach (var prefix in new[] { "/v1", "/v1beta/openai" })
        {
            var group = routes.MapGroup(prefix);
            group.MapGet("/models", ListModelsAsync);
            group.MapGet("/models/{**id}", GetModelAsync);
            group.MapPost("/chat/completions", (HttpContext context, GatewayPipeline pipeline) =>
                pipeline.HandleChatAsync(context, ChatCompletionsDialect.Instance, Surface.Chat));
            group.MapPost("/completions", (HttpContext context, GatewayPipeline pipeline) =>
                pipeline.HandleChatAsync(context, CompletionsDialect.Instance, Surface.Completions));
            group.MapPost("/embeddings", (HttpContext context, GatewayPipeline pipeline) =>
                pipeline.HandleEmbeddingsAsync(context, ChatCompletionsDialect.Instance));
            group.MapPost("/responses", (HttpContext context, GatewayPipeline pipeline) =>
                pipeline.HandleChatAsync(context, OpenAIResponsesDialect.Instance, Surface.Responses));
            group.MapPost("/responses/input_tokens", (HttpContext context, GatewayPipeline pipeline) =>
                pipeline.HandleResponsesInputTokensAsync(context));
            group.MapGet("/responses/{id}", GetResponseAsync);
            group.MapPost("/images/generations", (HttpContext context, GatewayPipeline pipeline) =>
                pipeline.HandleMediaJsonAsync(context, Surface.Images));
            group.MapPost("/audio/speech", (HttpContext context, GatewayPipeline pipeline) =>
                pipeline.HandleMediaJsonAsync(context, Surface.Audio));
            group.MapPost("/audio/transcriptions", (HttpContext context, GatewayPipeline pipeline) =>
                pipeline.HandleTranscriptionAsync(context));
            group.MapDelete("/responses/{id}", DeleteResponseAsync);
        }

        return routes;
    }

    private static async Task ListModelsAsync(HttpContext context, GatewayPipeline pipeline, CatalogMonitor catalogs)
    {
        var caller = await AuthenticateAsync(context, pipeline);
        if (caller is null)
        {
            return;
        }

        using var buffer = new PooledBufferWriter();
        using (var writer = new Utf8JsonWriter(buffer, JsonWire.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("object"u8, "list"u8);
            writer.WriteStartArray("data"u8);
            foreach (var model in catalogs.Current.Ordered)
            {
                if (caller.MayUse(model.Id))
                {
                    WriteModel(writer, model);
                }
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        await WriteJsonAsync(context, buffer);
    }

    private static async Task GetModelAsync(HttpContext context, string id, GatewayPipeline pipeline, CatalogMonitor catalogs)
    {
        var caller = await AuthenticateAsync(context, pipeline);
        if (caller is null)
        {
            return;
        }

        // A model the key may not use is as invisible as one that does not exist (CONTRACT §3).
        if (catalogs.Current.Find(id) is not { } model || !caller.MayUse(id))
        {
            await ErrorResponses.WriteAsync(context, new GatewayError(GatewayErrorKind.ModelNotFound, $"The model '{id}' does not exist.") { Param = "model" }, ErrorEnvelope.OpenAI);
            return;
        }

        using var buffer = new PooledBufferWriter();
        using (var writer = new Utf8JsonWriter(buffer, JsonWire.WriterOptions))
        {
            WriteModel(writer, model);
        }

        await WriteJsonAsync(context, buffer);
    }

    /// <summary><c>GET /v1/responses/{id}</c>: a response this key stored; any other id is a 404, whoever owns it.</summary>
    private static async Task GetResponseAsync(HttpContext context, string id, GatewayPipeline pipeline, IConversationStore store, TimeProvider time)
    {
        if (await AuthenticateAsync(context, pipeline) is not { } caller)
        {
            return;
        }

        if (await store.GetAsync(id, caller.KeyId, time.GetUtcNow(), context.RequestAborted) is not { } record)
        {
            await ErrorResponses.WriteAsync(context, ResponseNotFound(id), ErrorEnvelope.OpenAI);
            return;
        }

        var bytes = System.Text.Encoding.UTF8.GetBytes(record.Response);
        context.Response.ContentType = "application/json";
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
    }

    private static async Task DeleteResponseAsync(HttpContext context, string id, GatewayPipeline pipeline, IConversationStore store)
    {
        if (await AuthenticateAsync(context, pipeline) is not { } caller)
        {
            return;
        }

        if (!await store.DeleteAsync(id, caller.KeyId, context.RequestAborted))
        {
            await ErrorResponses.WriteAsync(context, ResponseNotFound(id), ErrorEnvelope.OpenAI);
            return;
        }

        using var buffer = new PooledBufferWriter(128);
        using (var writer = new Utf8JsonWriter(buffer, JsonWire.WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("id"u8, id);
            writer.WriteString("object"u8, "response"u8);
            writer.WriteBoolean("deleted"u8, true);
            writer.WriteEndObject();
        }

        await WriteJsonAsync(context, buffer);
    }

    private static GatewayError ResponseNotFound(string id) =>
        new(GatewayErrorKind.NotFound, $"No response found with id '{id}'.") { Param = "response_id" };

    private static void WriteModel(Utf8JsonWriter writer, ModelEntry model)
    {
        writer.WriteStartObject();
        writer.WriteString("id"u8, model.Id);
        writer.WriteString("object"u8, "model"u8);
        writer.WriteNumber("created"u8, Created);
        writer.WriteString("owned_by"u8, model.OwnedBy);
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
            await ErrorResponses.WriteAsync(context, exception.Error, ErrorEnvelope.OpenAI);
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
