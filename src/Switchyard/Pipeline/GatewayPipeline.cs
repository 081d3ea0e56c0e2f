using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Switchyard.Auth;
using Switchyard.Catalog;
using Switchyard.Conversations;
using Switchyard.Diagnostics;
using Switchyard.Dialects;
using Switchyard.Dialects.Anthropic;
using Switchyard.Dialects.Gemini;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;
using Switchyard.Dialects.OpenAI.Embeddings;
using Switchyard.Forwarding;
using Switchyard.Metering;
using Switchyard.Routing;

namespace Switchyard.Pipeline;

/// <summary>
/// The one orchestrator of model requests. For each request:
///  1. authenticate the caller (401 in the surface's envelope);
///  2. read the body into a pooled buffer (413 over the limit);
///  3. probe the top level for model and stream;
///  4. plan: resolve the model (404/403/400) and order its deployments and fallbacks;
///  5. admit: reserve the worst case against the key's limits and credits (429/402);
///  6. attempt each candidate until one serves or fails in a way another cannot fix —
///     passthrough when the upstream speaks the client's dialect, translation otherwise;
///  7. settle (in <see cref="GuardAsync"/>, after any error is written): charge once, release
///     the rest, queue the request's ledger row.
/// Parsers throw <see cref="GatewayException"/> for malformed input; this is the one place that catches it.
/// </summary>
public sealed class GatewayPipeline(
    CatalogMonitor catalogs,
    ApiKeyAuthenticator authenticator,
    GatewayLimits limits,
    TranslatingForwarder translating,
    ConversationState conversations,
    FailoverRouter router,
    RequestMeter meter,
    GatewayTelemetry telemetry,
    Media.UpstreamMediaGuard mediaGuard,
    Media.UploadLimits uploadLimits,
    ILogger<GatewayPipeline> logger)
{
    public Task HandleChatAsync(HttpContext context, ChatDialect surface, Surface surfaceKind) =>
        HandleChatAsync(context, new ChatRoute(surface, surfaceKind));

    public async Task HandleChatAsync(HttpContext context, ChatRoute route)
    {
        var surface = route.Dialect;
        var surfaceKind = route.Surface;
        await GuardAsync(context, surface, GatewayOperation.ForChat(surfaceKind), async () =>
        {
            // 1-3. Caller, body, probe.
            var caller = await AuthenticateAsync(context);
            using var body = await RequestBody.ReadAsync(context.Request, limits.MaxBodyBytes, context.RequestAborted);
            telemetry.LogRequestBody(context, body.WrittenSpan);
            var topLevel = JsonTopLevel.Scan(body.WrittenSpan);
            var modelId = route.PathModel ?? topLevel.GetString(body.WrittenSpan, "model"u8);
            var stream = route.PathStream ?? topLevel.GetBoolean(body.WrittenSpan, "stream"u8) == true;

            // 4. Plan.
            var catalog = catalogs.Current;
            var model = RoutePlanner.Resolve(catalog, caller, modelId, surfaceKind);
            if (model.Kind != ModelKind.Chat)
            {
                // Only the Gemini surface serves two kinds; its embedding methods are separate.
                throw GatewayException.InvalidRequest($"The model '{modelId}' is an embedding model; use :embedContent or /v1/embeddings.", "model");
            }

            // Responses: previous_response_id becomes the stored conversation, whatever the upstream.
            var turn = surfaceKind == Surface.Responses
                ? await conversations.PrepareAsync(body.WrittenMemory, topLevel, caller, context.RequestAborted)
                : null;

            // 5. Admission: the worst case of what goes upstream, reserved before it goes.
            var metered = await meter.AdmitAsync(context, caller, model, modelId!, surfaceKind, stream,
                Reservation.ForGeneration((turn?.Body ?? body.WrittenMemory).Span, turn?.TopLevel ?? topLevel, model));
            var exchange = new ChatExchange
            {
                Context = context,
                Caller = caller,
                Surface = surface,
                Body = turn?.Body ?? body.WrittenMemory,
                TopLevel = turn?.TopLevel ?? topLevel,
                Turn = turn,
                ModelId = modelId!,
                Model = model,
                Stream = stream,
                Timings = Timings(context),
                JsonArray = route.JsonArray,
                Relayed = metered.Relayed,
            };

            // 6. Attempts, across deployments and fallbacks.
            var passthrough = PassthroughDialect.For(surface.Dialect);
            PassthroughPlan? plan = null;
            var outcome = await router.RunAsync(catalog, model, exchange.Timings, async (entry, deployment) =>
            {
                metered.Attempting(deployment);
                await mediaGuard.CheckAsync(surface.Dialect, exchange.Body, deployment.Provider, context.RequestAborted);
                AttemptOutcome attempt;
                if (deployment.UpstreamDialect == surface.Dialect && passthrough is not null)
                {
                    plan ??= PassthroughPlan.Prepare(exchange.Body.Span, exchange.TopLevel, stream, exchange.Adjustments, passthrough);
                    attempt = await PassthroughForwarder.ForwardAsync(context, Passthrough(exchange, plan, passthrough), entry, deployment);
                }
                else
                {
                    attempt = await translating.ForwardAsync(exchange, entry, deployment);
                }

                metered.Attempted(deployment, attempt.Committed, attempt.Usage);
                return attempt;
            }, context.RequestAborted);

            if (!outcome.Committed)
            {
                await ErrorResponses.WriteAsync(context, outcome.Error!, ErrorEnvelope.OpenAI, surface);
            }
            else if (turn is not null && outcome.Error is null)
            {
                await conversations.RecordAsync(turn, caller, modelId!, CancellationToken.None);
            }
        });
    }

    /// <summary><c>POST /v1/embeddings</c>: passthrough to OpenAI-compatible embedding deployments.</summary>
    public async Task HandleEmbeddingsAsync(HttpContext context, ChatDialect errorDialect)
    {
        await GuardAsync(context, errorDialect, GatewayOperation.Embeddings, async () =>
        {
            var caller = await AuthenticateAsync(context);
            using var body = await RequestBody.ReadAsync(context.Request, limits.MaxBodyBytes, context.RequestAborted);
            var topLevel = JsonTopLevel.Scan(body.WrittenSpan);
            var modelId = topLevel.GetString(body.WrittenSpan, "model"u8);
            if (!topLevel.TryGet(body.WrittenSpan, "input"u8, out _))
            {
                throw GatewayException.InvalidRequest("'input' is required.", "input");
            }

            var catalog = catalogs.Current;
            var model = RoutePlanner.Resolve(catalog, caller, modelId, Surface.Embeddings);
            var metered = await meter.AdmitAsync(context, caller, model, modelId!, Surface.Embeddings, stream: false, Reservation.ForEmbeddings(body.WrittenSpan, model));
            var adjustments = new ParamAdjustments();
            var request = new PassthroughRequest
            {
                Dialect = OpenAIPassthrough.Embeddings,
                Body = body.WrittenMemory,
                TopLevel = topLevel,
                ModelId = modelId!,
                Stream = false,
                Plan = PassthroughPlan.Prepare(body.WrittenSpan, topLevel, stream: false, adjustments, OpenAIPassthrough.Embeddings),
                Adjustments = adjustments,
                Timings = Timings(context),
            };

            EmbeddingRequest? neutral = null;
            var outcome = await router.RunAsync(catalog, model, request.Timings, async (entry, deployment) =>
            {
                metered.Attempting(deployment);
                await mediaGuard.CheckAsync(Dialect.OpenAIEmbeddings, body.WrittenMemory, deployment.Provider, context.RequestAborted);
                AttemptOutcome attempt;
                if (deployment.UpstreamDialect == Dialect.OpenAIEmbeddings)
                {
                    attempt = await PassthroughForwarder.ForwardAsync(context, request, entry, deployment);
                }
                else
                {
                    neutral ??= EmbeddingsCodec.ReadRequest(body.WrittenSpan);
                    neutral.Model = modelId!;
                    var base64 = neutral.Base64;
                    attempt = await EmbeddingsForwarder.ForwardAsync(context, neutral, entry, deployment, request.Timings,
                        (response, output) => EmbeddingsCodec.WriteResponse(response, base64, output));
                }

                metered.Attempted(deployment, attempt.Committed, attempt.Usage);
                return attempt;
            }, context.RequestAborted);

            if (!outcome.Committed)
            {
                await ErrorResponses.WriteAsync(context, outcome.Error!, ErrorEnvelope.OpenAI, errorDialect);
            }
        });
    }

    /// <summary>
    /// <c>POST /v1/messages/count_tokens</c>: Anthropic upstreams count exactly on their own endpoint;
    /// for any other upstream the count is an estimate, marked so in <c>X-Token-Count-Estimated</c>.
    /// </summary>
    public async Task HandleCountTokensAsync(HttpContext context)
    {
        var surface = AnthropicMessagesDialect.Instance;
        await GuardAsync(context, surface, GatewayOperation.MessagesCountTokens, async () =>
        {
            var caller = await AuthenticateAsync(context);
            using var body = await RequestBody.ReadAsync(context.Request, limits.MaxBodyBytes, context.RequestAborted);
            var topLevel = JsonTopLevel.Scan(body.WrittenSpan);
            var modelId = topLevel.GetString(body.WrittenSpan, "model"u8);
            var catalog = catalogs.Current;
            var model = RoutePlanner.Resolve(catalog, caller, modelId, Surface.Messages);
            var deployment = DeploymentSelector.Candidates(catalog, model, Random.Shared)[0].Deployment;
            if (deployment.UpstreamDialect == Dialect.AnthropicMessages)
            {
                await CountTokensUpstreamAsync(context, body.WrittenMemory, topLevel, modelId!, deployment);
                return;
            }

            var request = AnthropicMessagesDialect.ReadCountTokensRequest(body.WrittenMemory);
            using var answer = new PooledBufferWriter(64);
            AnthropicMessagesDialect.WriteTokenCount(TokenEstimator.Estimate(request), answer);
            context.Response.Headers["X-Token-Count-Estimated"] = "true";
            ResponseStart.Json(context.Response, adjustments: null);
            context.Response.ContentLength = answer.WrittenCount;
            await context.Response.Body.WriteAsync(answer.WrittenMemory, context.RequestAborted);
        });
    }

    /// <summary>
    /// <c>POST /v1beta/models/{m}:countTokens</c>: Gemini upstreams count on their own endpoint; for
    /// any other upstream the count is an estimate, marked so in <c>X-Token-Count-Estimated</c>.
    /// </summary>
    public async Task HandleGeminiCountTokensAsync(HttpContext context, string modelId)
    {
        var surface = GeminiGenerateDialect.Instance;
        await GuardAsync(context, surface, GatewayOperation.GeminiCountTokens, async () =>
        {
            var caller = await AuthenticateAsync(context);
            using var body = await RequestBody.ReadAsync(context.Request, limits.MaxBodyBytes, context.RequestAborted);
            var catalog = catalogs.Current;
            var model = RoutePlanner.Resolve(catalog, caller, modelId, Surface.Gemini);
            var deployment = DeploymentSelector.Candidates(catalog, model, Random.Shared)[0].Deployment;
            if (deployment.UpstreamDialect == Dialect.GeminiGenerate)
            {
                var url = $"{deployment.Provider.BaseUrl}/v1beta/models/{Uri.EscapeDataString(deployment.UpstreamModel)}:countTokens";
                await RelayJsonAsync(context, deployment, url, body.WrittenMemory, GeminiErrors.Read);
                return;
            }

            // The body is {contents} or {generateContentRequest: {...}}; both parse as a request.
            var topLevel = JsonTopLevel.Scan(body.WrittenSpan);
            var inner = topLevel.TryGet(body.WrittenSpan, "generateContentRequest"u8, out var wrapped)
                ? body.WrittenMemory[wrapped.Value]
                : body.WrittenMemory;
            var request = surface.ReadRequest(inner, new ParamAdjustments());
            using var answer = new PooledBufferWriter(64);
            using (var writer = new System.Text.Json.Utf8JsonWriter(answer, JsonWire.WriterOptions))
            {
                writer.WriteStartObject();
                writer.WriteNumber("totalTokens"u8, TokenEstimator.Estimate(request));
                writer.WriteEndObject();
            }

            context.Response.Headers["X-Token-Count-Estimated"] = "true";
            ResponseStart.Json(context.Response, adjustments: null);
            context.Response.ContentLength = answer.WrittenCount;
            await context.Response.Body.WriteAsync(answer.WrittenMemory, context.RequestAborted);
        });
    }

    private delegate GatewayError ErrorReader(int status, ReadOnlySpan<byte> body);

    /// <summary>Forwards a small JSON request to an upstream's own endpoint and relays its answer as is.</summary>
    private static async Task RelayJsonAsync(HttpContext context, Deployment deployment, string url, ReadOnlyMemory<byte> body, ErrorReader readError)
    {
        using var message = UpstreamClient.CreateRequest(deployment, url, body, HeaderPolicy.FromClient(context.Request, deployment.Provider.Type));
        var (call, error) = await UpstreamClient.SendAsync(deployment.Provider, message, context.RequestAborted);
        if (call is null)
        {
            throw new GatewayException(error!);
        }

        using (call)
        {
            var answer = await UpstreamClient.ReadBodyAsync(call);
            if (!call.Response.IsSuccessStatusCode)
            {
                throw new GatewayException(readError((int)call.Response.StatusCode, answer));
            }

            ResponseStart.Json(context.Response, adjustments: null);
            context.Response.ContentLength = answer.Length;
            await context.Response.Body.WriteAsync(answer, context.RequestAborted);
        }
    }

    private static async Task CountTokensUpstreamAsync(HttpContext context, ReadOnlyMemory<byte> body, JsonTopLevel topLevel, string modelId, Deployment deployment)
    {
        using var rewritten = new PooledBufferWriter(body.Length + 64);
        if (modelId != deployment.UpstreamModel)
        {
            new JsonTopLevelEditor().SetString("model"u8, deployment.UpstreamModel).WriteTo(body.Span, topLevel, rewritten);
            body = rewritten.WrittenMemory;
        }

        await RelayJsonAsync(context, deployment, deployment.Provider.BaseUrl + "/v1/messages/count_tokens", body, AnthropicErrors.Read);
    }

    /// <summary><c>POST /v1beta/models/{m}:embedContent</c> and <c>:batchEmbedContents</c>, to Gemini or OpenAI-compatible upstreams.</summary>
    public async Task HandleGeminiEmbedAsync(HttpContext context, string modelId, bool batch)
    {
        var surface = GeminiGenerateDialect.Instance;
        await GuardAsync(context, surface, GatewayOperation.GeminiEmbed, async () =>
        {
            var caller = await AuthenticateAsync(context);
            using var body = await RequestBody.ReadAsync(context.Request, limits.MaxBodyBytes, context.RequestAborted);
            var catalog = catalogs.Current;
            var model = RoutePlanner.Resolve(catalog, caller, modelId, Surface.Gemini);
            if (model.Kind != ModelKind.Embedding)
            {
                throw GatewayException.InvalidRequest($"The model '{modelId}' is a chat model; use :generateContent.", "model");
            }

            var request = EmbedContentCodec.ReadRequest(body.WrittenSpan, modelId, batch);
            var metered = await meter.AdmitAsync(context, caller, model, modelId, Surface.Gemini, stream: false, Reservation.ForEmbeddings(body.WrittenSpan, model));
            var timings = Timings(context);
            var outcome = await router.RunAsync(catalog, model, timings, async (entry, deployment) =>
            {
                metered.Attempting(deployment);
                var attempt = await EmbeddingsForwarder.ForwardAsync(context, request, entry, deployment, timings,
                    (response, output) => EmbedContentCodec.WriteResponse(response, batch, output));
                metered.Attempted(deployment, attempt.Committed, attempt.Usage);
                return attempt;
            }, context.RequestAborted);
            if (!outcome.Committed)
            {
                await ErrorResponses.WriteAsync(context, outcome.Error!, ErrorEnvelope.Gemini, surface);
            }
        });
    }

    /// <summary><c>POST /v1/images/generations</c> and <c>POST /v1/audio/speech</c>: JSON in, routed like chat.</summary>
    public async Task HandleMediaJsonAsync(HttpContext context, Surface surface)
    {
        var errors = Dialects.OpenAI.Chat.ChatCompletionsDialect.Instance;
        await GuardAsync(context, errors, surface == Surface.Images ? GatewayOperation.Images : GatewayOperation.Speech, async () =>
        {
            var caller = await AuthenticateAsync(context);
            using var body = await RequestBody.ReadAsync(context.Request, limits.MaxBodyBytes, context.RequestAborted);
            var topLevel = JsonTopLevel.Scan(body.WrittenSpan);
            var modelId = topLevel.GetString(body.WrittenSpan, "model"u8);
            var required = surface == Surface.Images ? "prompt"u8 : "input"u8;
            if (topLevel.GetString(body.WrittenSpan, required) is null)
            {
                var name = surface == Surface.Images ? "prompt" : "input";
                throw GatewayException.InvalidRequest($"'{name}' is required.", name);
            }

            var catalog = catalogs.Current;
            var model = RoutePlanner.Resolve(catalog, caller, modelId, surface);
            var metered = await meter.AdmitAsync(context, caller, model, modelId!, surface, stream: false,
                Reservation.ForMedia(body.WrittenSpan, topLevel, model.Pricing, images: surface == Surface.Images));
            var timings = Timings(context);
            var outcome = await router.RunAsync(catalog, model, timings, async (entry, deployment) =>
            {
                metered.Attempting(deployment);
                var attempt = surface == Surface.Images
                    ? await MediaForwarder.ImagesAsync(context, body.WrittenMemory, topLevel, modelId!, entry, deployment, timings)
                    : await MediaForwarder.SpeechAsync(context, body.WrittenMemory, topLevel, modelId!, entry, deployment, timings);
                metered.Attempted(deployment, attempt.Committed, attempt.Usage);
                return attempt;
            }, context.RequestAborted);
            if (!outcome.Committed)
            {
                await ErrorResponses.WriteAsync(context, outcome.Error!, ErrorEnvelope.OpenAI, errors);
            }
        });
    }

    /// <summary>
    /// <c>POST /v1/audio/transcriptions</c>: the upload streams through, so it has one attempt — the
    /// body cannot be sent twice.
    /// </summary>
    public async Task HandleTranscriptionAsync(HttpContext context)
    {
        var errors = Dialects.OpenAI.Chat.ChatCompletionsDialect.Instance;
        await GuardAsync(context, errors, GatewayOperation.Transcription, async () =>
        {
            var caller = await AuthenticateAsync(context);
            await using var upload = await Media.TranscriptionUpload.ReadAsync(context.Request, limits.MaxBodyBytes, uploadLimits, context.RequestAborted);
            var modelId = upload.Field("model") ?? throw GatewayException.InvalidRequest("'model' is required.", "model");
            var catalog = catalogs.Current;
            var model = RoutePlanner.Resolve(catalog, caller, modelId, Surface.Audio);
            var (entry, deployment) = DeploymentSelector.Candidates(catalog, model, Random.Shared)[0];
            var metered = await meter.AdmitAsync(context, caller, model, modelId, Surface.Audio, stream: false, new Reservation(0, 0));
            metered.Attempting(deployment);
            Timings(context).Telemetry?.Routing(model);
            var outcome = await MediaForwarder.TranscriptionAsync(context, upload, modelId, entry, deployment, Timings(context));
            metered.Attempted(deployment, outcome.Committed, outcome.Usage);
            if (!outcome.Committed)
            {
                await ErrorResponses.WriteAsync(context, outcome.Error!, ErrorEnvelope.OpenAI, errors);
            }
        });
    }

    /// <summary>
    /// <c>POST /v1/responses/input_tokens</c>: Responses upstreams count on their own endpoint; for
    /// any other upstream the count is an estimate, marked so in <c>X-Token-Count-Estimated</c>.
    /// </summary>
    public async Task HandleResponsesInputTokensAsync(HttpContext context)
    {
        var surface = Dialects.OpenAI.Responses.OpenAIResponsesDialect.Instance;
        await GuardAsync(context, surface, GatewayOperation.ResponsesInputTokens, async () =>
        {
            var caller = await AuthenticateAsync(context);
            using var body = await RequestBody.ReadAsync(context.Request, limits.MaxBodyBytes, context.RequestAborted);
            var topLevel = JsonTopLevel.Scan(body.WrittenSpan);
            var modelId = topLevel.GetString(body.WrittenSpan, "model"u8);
            var catalog = catalogs.Current;
            var model = RoutePlanner.Resolve(catalog, caller, modelId, Surface.Responses);
            var deployment = DeploymentSelector.Candidates(catalog, model, Random.Shared)[0].Deployment;
            if (deployment.UpstreamDialect == Dialect.OpenAIResponses)
            {
                using var rewritten = new PooledBufferWriter(body.WrittenCount + 64);
                var upstreamBody = body.WrittenMemory;
                if (modelId != deployment.UpstreamModel)
                {
                    new JsonTopLevelEditor().SetString("model"u8, deployment.UpstreamModel).WriteTo(body.WrittenSpan, topLevel, rewritten);
                    upstreamBody = rewritten.WrittenMemory;
                }

                await RelayJsonAsync(context, deployment, deployment.Provider.BaseUrl + "/responses/input_tokens", upstreamBody, Dialects.OpenAI.OpenAIErrors.Read);
                return;
            }

            var request = surface.ReadRequest(body.WrittenMemory, new ParamAdjustments());
            using var answer = new PooledBufferWriter(64);
            using (var writer = new System.Text.Json.Utf8JsonWriter(answer, JsonWire.WriterOptions))
            {
                writer.WriteStartObject();
                writer.WriteString("object"u8, "response.input_tokens"u8);
                writer.WriteNumber("input_tokens"u8, TokenEstimator.Estimate(request));
                writer.WriteEndObject();
            }

            context.Response.Headers["X-Token-Count-Estimated"] = "true";
            ResponseStart.Json(context.Response, adjustments: null);
            context.Response.ContentLength = answer.WrittenCount;
            await context.Response.Body.WriteAsync(answer.WrittenMemory, context.RequestAborted);
        });
    }

    /// <summary>Authenticates or throws the 401 of CONTRACT §4 (a missing key is <c>invalid_api_key</c> too).</summary>
    public async Task<Caller> AuthenticateAsync(HttpContext context)
    {
        var secret = CredentialReader.Read(context.Request);
        var caller = await authenticator.AuthenticateAsync(secret, context.RequestAborted);
        context.Features.Get<RequestTimings>()?.Telemetry?.KeyId = caller?.KeyId;
        return caller ?? throw new GatewayException(new GatewayError(
            GatewayErrorKind.Unauthenticated,
            secret is null
                ? "No API key was provided. Send it as 'Authorization: Bearer KEY' or 'x-api-key: KEY'."
                : "The API key is not valid, has expired, or was revoked."));
    }

    private async Task GuardAsync(HttpContext context, ChatDialect errorDialect, GatewayOperation operation, Func<Task> handle)
    {
        var requestTelemetry = telemetry.Start(context, operation, Timings(context));
        try
        {
            await handle();
        }
        catch (GatewayException exception)
        {
            await ErrorResponses.WriteAsync(context, exception.Error, ErrorEnvelope.OpenAI, errorDialect);
        }
        catch (Exception) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; there is no one left to answer.
        }
        catch (BadHttpRequestException exception)
        {
            // A body cut short (a client that left mid-upload) or malformed framing.
            await ErrorResponses.WriteAsync(context, GatewayError.InvalidRequest($"The request body could not be read: {exception.Message}"), ErrorEnvelope.OpenAI, errorDialect);
        }
        catch (Exception exception)
        {
            logger.UnhandledError(exception, context.Request.Path);
            await ErrorResponses.WriteAsync(context, GatewayError.Internal(), ErrorEnvelope.OpenAI, errorDialect);
        }
        finally
        {
            // 7. Settlement, after any error above was written, so the request log has the final status.
            await meter.SettleAsync(context);
            telemetry.Complete(context, requestTelemetry);
        }
    }

    private static PassthroughRequest Passthrough(ChatExchange exchange, PassthroughPlan plan, PassthroughDialect dialect) => new()
    {
        Dialect = dialect,
        Body = exchange.Body,
        TopLevel = exchange.TopLevel,
        ModelId = exchange.ModelId,
        Stream = exchange.Stream,
        Plan = plan,
        Adjustments = exchange.Adjustments,
        Timings = exchange.Timings,
        JsonArray = exchange.JsonArray,
        Turn = exchange.Turn,
        Relayed = exchange.Relayed,
    };

    private static RequestTimings Timings(HttpContext context) =>
        context.Features.Get<RequestTimings>() ?? new RequestTimings();
}
