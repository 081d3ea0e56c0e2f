using System.Text.Json;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Switchyard.Configuration;
using Switchyard.Diagnostics;
using Switchyard.Dialects;
using Switchyard.Dialects.Json;

namespace Switchyard.Pipeline.Steps;

/// <summary>
/// Reads the body into a pooled buffer and holds it to its dialect's shape before any later step
/// or any upstream sees it: a 413 over the size limit, a 408 when it trickles in too slowly, a 503
/// when the process holds as many bodies as it may, a 400 for invalid UTF-8 (or an escaped lone surrogate), a field sent twice,
/// a known field of the wrong type, or a count that is negative or does not fit. The body is
/// indexed once here, for every later step (<see cref="GatewayRequest.IndexBody"/>).
/// </summary>
internal sealed class ReadBodyStep(SnapshotMonitor snapshots, BodyBudget budget, GatewayTelemetry telemetry) : IGatewayStep
{
    private static readonly TimeSpan Grace = TimeSpan.FromSeconds(5);

    /// <summary>
    /// <c>limits.minBodyBytesPerSecond</c> for this request's body, on every route that reads one
    /// (a transcription streams its upload without this step). 0 turns the check off: Kestrel's own
    /// minimum (240 bytes a second) would apply otherwise.
    /// </summary>
    public static void HoldToMinimumRate(HttpContext context, LimitsOptions limits)
    {
        if (context.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } rate)
        {
            rate.MinDataRate = limits.MinBodyBytesPerSecond > 0 ? new MinDataRate(limits.MinBodyBytesPerSecond, Grace) : null;
        }
    }

    public async Task InvokeAsync(GatewayRequest request, GatewayHandler next)
    {
        var limits = snapshots.Current.Options.Limits;
        HoldToMinimumRate(request.Context, limits);
        var body = await RequestBody.ReadAsync(request.Context.Request, limits.MaxBodyBytes, budget, limits.MaxBufferedBytes, request.Aborted);
        try
        {
            if (!System.Text.Unicode.Utf8.IsValid(body.WrittenSpan))
            {
                throw GatewayException.InvalidRequest("The request body is not valid UTF-8.");
            }

            if (JsonEscapes.HasLoneSurrogate(body.WrittenSpan))
            {
                throw GatewayException.InvalidRequest("The request body escapes a surrogate without its pair (a \\uD800–\\uDFFF alone), which is no Unicode text.");
            }

            // The guard refuses more media URLs than media.maxImages whatever they are: no more are kept.
            request.SetBody(body, snapshots.Current.Media.MaxImages);
        }
        catch
        {
            body.Dispose();
            throw;
        }

        telemetry.LogRequestBody(request.Context, request.Body.Span);
        var dialect = request.Dialect!;
        foreach (var field in dialect.RequiredFields)
        {
            if (!request.TopLevel.TryGet(request.Body.Span, System.Text.Encoding.UTF8.GetBytes(field), out var value) || value.ValueKind == JsonTokenType.Null)
            {
                throw GatewayException.InvalidRequest($"'{field}' is required.", field);
            }
        }

        RequestShape.Validate(request.Body.Span, request.TopLevel, dialect.RequestShape, dialect.CountFields);
        await next(request);
    }
}
