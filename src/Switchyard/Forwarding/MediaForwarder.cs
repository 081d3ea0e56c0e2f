using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Switchyard.Catalog;
using Switchyard.Dialects;
using Switchyard.Dialects.Canonical;
using Switchyard.Dialects.Json;
using Switchyard.Media;
using Switchyard.Metering;
using Switchyard.Pipeline;

namespace Switchyard.Forwarding;

/// <summary>
/// The image and audio surfaces to deployments whose API serves the same dialect: JSON in with the
/// model renamed; images answered as JSON, speech streamed back as it arrives, transcription
/// uploads streamed up as they arrive. Each is priced in its own unit (<see cref="MediaCost"/>).
/// </summary>
internal static class MediaForwarder
{
    public static async Task<AttemptOutcome> ImagesAsync(GatewayRequest request, IMediaDialect dialect, ModelEntry entry, Deployment deployment)
    {
        var (context, body, topLevel, modelId, timings) = (request.Context, request.Body, request.TopLevel, request.ModelId!, request);
        using var rewritten = new PooledBufferWriter(body.Length + 64);
        var (call, error) = await SendJsonAsync(context, Rename(body, topLevel, modelId, deployment, rewritten), deployment, dialect.Path(deployment.UpstreamModel, stream: false), timings);
        if (call is null)
        {
            return AttemptOutcome.Failed(error!);
        }

        using (call)
        {
            var (answer, readError) = await ReadAnswerAsync(call);
            if (answer is null)
            {
                return AttemptOutcome.Failed(readError!);
            }

            if (!call.Response.IsSuccessStatusCode)
            {
                return AttemptOutcome.Failed(dialect.ReadError((int)call.Response.StatusCode, answer) with { RetryAfter = RetryAfter.From(call.Response) });
            }

            var answerTop = JsonTopLevel.Scan(answer);
            var count = 0;
            if (answerTop.TryGet(answer, "data"u8, out var data) && data.ValueKind == JsonTokenType.StartArray)
            {
                using var document = JsonDocument.Parse(answer.AsMemory(data.Value));
                count = document.RootElement.GetArrayLength();
            }

            var cost = MediaCost.Images(entry.Pricing, count, topLevel.GetString(body.Span, "size"u8), topLevel.GetString(body.Span, "quality"u8));
            var edits = new JsonTopLevelEditor();
            if (cost is decimal charged && answerTop.TryGet(answer, "usage"u8, out var usage) && usage.ValueKind == JsonTokenType.StartObject)
            {
                edits.SetWithNumber("usage"u8, answer.AsSpan(usage.Value), "cost"u8, charged);
            }

            await WriteJsonAsync(context, answer, answerTop, edits);
            return AttemptOutcome.Served(new Usage { Cost = cost });
        }
    }

    /// <summary><c>POST /v1/audio/speech</c>: the audio is relayed as it arrives, flushed per read.</summary>
    public static async Task<AttemptOutcome> SpeechAsync(GatewayRequest request, IMediaDialect dialect, ModelEntry entry, Deployment deployment)
    {
        var (context, body, topLevel, modelId, timings) = (request.Context, request.Body, request.TopLevel, request.ModelId!, request);
        using var rewritten = new PooledBufferWriter(body.Length + 64);
        var (call, error) = await SendJsonAsync(context, Rename(body, topLevel, modelId, deployment, rewritten), deployment, dialect.Path(deployment.UpstreamModel, stream: false), timings);
        if (call is null)
        {
            return AttemptOutcome.Failed(error!);
        }

        using (call)
        {
            if (!call.Response.IsSuccessStatusCode)
            {
                return AttemptOutcome.Failed(await UpstreamClient.ReadErrorAsync(call, dialect, context.RequestAborted));
            }

            // Priced on its input, known already: a client that leaves mid-audio still pays for it.
            var served = new Usage { Cost = MediaCost.Characters(entry.Pricing, MediaCost.CountCharacters(topLevel.GetString(body.Span, "input"u8))) };
            request.Relayed.Reported = served;
            request.Relayed.Completed = true;

            var response = context.Response;
            response.StatusCode = 200;
            response.ContentType = call.Response.Content.Headers.ContentType?.ToString() ?? "application/octet-stream";
            await using var audio = await call.OpenBodyAsync();
            var buffer = new byte[32 * 1024];
            int read;
            while ((read = await audio.ReadAsync(buffer, context.RequestAborted)) > 0)
            {
                await response.Body.WriteAsync(buffer.AsMemory(0, read), context.RequestAborted);
                await response.Body.FlushAsync(context.RequestAborted);
            }

            return AttemptOutcome.Served(served);
        }
    }

    /// <summary><c>POST /v1/audio/transcriptions</c>: the upload streams to the upstream while the client sends it.</summary>
    public static async Task<AttemptOutcome> TranscriptionAsync(GatewayRequest request, IMediaDialect dialect, TranscriptionUpload upload, ModelEntry entry, Deployment deployment)
    {
        var (context, timings) = (request.Context, request);
        using var content = new MultipartRelayContent(upload, _ => deployment.UpstreamModel);
        using var message = new HttpRequestMessage(HttpMethod.Post, deployment.Provider.BaseUrl + dialect.Path(deployment.UpstreamModel, stream: false)) { Content = content };
        UpstreamClient.ApplyConfiguredHeaders(message, deployment.Provider);
        timings.Attempts++;
        UpstreamCall? call = null;
        GatewayError? error = null;
        try
        {
            (call, error) = await UpstreamClient.SendAsync(deployment.Provider, message, body: null, context.RequestAborted);
        }
        catch (Exception) when (content.ClientError is not null)
        {
            // Reported below: the client's upload, not the upstream, failed.
        }

        if (content.ClientError is { } clientError)
        {
            // The client's upload, not the upstream, failed: a 400 or 413, never retried.
            call?.Dispose();
            throw new GatewayException(clientError);
        }

        if (call is null)
        {
            return AttemptOutcome.Failed(error!);
        }

        using (call)
        {
            timings.Upstream += call.HeadersElapsed;
            var (answer, readError) = await ReadAnswerAsync(call);
            if (answer is null)
            {
                return AttemptOutcome.Failed(readError!);
            }

            if (!call.Response.IsSuccessStatusCode)
            {
                return AttemptOutcome.Failed(dialect.ReadError((int)call.Response.StatusCode, answer) with { RetryAfter = RetryAfter.From(call.Response) });
            }

            var response = context.Response;
            response.StatusCode = 200;
            response.ContentType = call.Response.Content.Headers.ContentType?.ToString() ?? "application/json";
            response.ContentLength = answer.Length;
            await response.Body.WriteAsync(answer, context.RequestAborted);
            return AttemptOutcome.Served(new Usage { Cost = MediaCost.AudioSeconds(entry.Pricing, BilledSeconds(content.Duration, answer)) });
        }
    }

    // Audio is never denser than this (48 kHz stereo 32-bit PCM is 3 Mbit/s): a header claiming fewer seconds than the bytes need is not believed.
    private const double MaxAudioBytesPerSecond = 384_000;

    /// <summary>
    /// The seconds a transcription is billed for, whatever format its answer is in: the duration its
    /// container declares, the duration the upstream reports (verbose_json's <c>duration</c>,
    /// <c>usage.seconds</c>) if longer, and never less than the bytes could hold at the densest audio rate.
    /// </summary>
    public static double BilledSeconds(AudioDuration container, byte[] answer)
    {
        var reported = AudioSeconds(answer);
        if (container.Seconds is null && reported == 0)
        {
            // Neither the file nor the answer says: bill the bytes as low-bitrate speech (16 kbit/s), high rather than nothing.
            return container.Bytes / UnknownAudioBytesPerSecond;
        }

        return Math.Max(Math.Max(container.Seconds ?? 0, reported), container.Bytes / MaxAudioBytesPerSecond);
    }

    private const double UnknownAudioBytesPerSecond = 2_000;

    /// <summary>The audio duration a transcription reports: verbose_json's <c>duration</c> or <c>usage.seconds</c>; 0 for text formats.</summary>
    /// <summary>The whole answer, or why it could not be read (broken off or too large: a 502).</summary>
    private static async Task<(byte[]? Answer, GatewayError? Error)> ReadAnswerAsync(UpstreamCall call)
    {
        try
        {
            return (await UpstreamClient.ReadBodyAsync(call), null);
        }
        catch (GatewayException exception)
        {
            return (null, exception.Error);
        }
    }

    private static double AudioSeconds(byte[] answer)
    {
        try
        {
            using var document = JsonDocument.Parse(answer);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return 0;
            }

            if (root.TryGetProperty("duration", out var duration) && duration.TryGetDouble(out var seconds))
            {
                return seconds;
            }

            return root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object
                && usage.TryGetProperty("seconds", out var used) && used.TryGetDouble(out var usedSeconds)
                ? usedSeconds
                : 0;
        }
        catch (JsonException)
        {
            return 0;
        }
    }

    private static ReadOnlyMemory<byte> Rename(ReadOnlyMemory<byte> body, JsonTopLevel topLevel, string modelId, Deployment deployment, PooledBufferWriter output)
    {
        if (modelId == deployment.UpstreamModel)
        {
            return body;
        }

        new JsonTopLevelEditor().SetString("model"u8, deployment.UpstreamModel).WriteTo(body.Span, topLevel, output);
        return output.WrittenMemory;
    }

    private static async Task<(UpstreamCall? Call, GatewayError? Error)> SendJsonAsync(HttpContext context, ReadOnlyMemory<byte> body, Deployment deployment, string path, GatewayRequest timings)
    {
        using var message = UpstreamClient.CreateRequest(deployment, path, body);
        timings.Attempts++;
        var result = await UpstreamClient.SendAsync(deployment.Provider, message, body, context.RequestAborted);
        if (result.Call is { } call)
        {
            timings.Upstream += call.HeadersElapsed;
        }

        return result;
    }

    private static async Task WriteJsonAsync(HttpContext context, byte[] answer, JsonTopLevel topLevel, JsonTopLevelEditor edits)
    {
        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "application/json";
        if (!edits.HasEdits)
        {
            response.ContentLength = answer.Length;
            await response.Body.WriteAsync(answer, context.RequestAborted);
            return;
        }

        using var output = new PooledBufferWriter(answer.Length + 64);
        edits.WriteTo(answer, topLevel, output);
        response.ContentLength = output.WrittenCount;
        await response.Body.WriteAsync(output.WrittenMemory, context.RequestAborted);
    }
}
