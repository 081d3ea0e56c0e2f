using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Switchyard.Admin;
using Switchyard.Diagnostics;
using Switchyard.Dialects;
using Switchyard.Dialects.Json;
using Switchyard.Metering;
using Switchyard.Pipeline;
using Switchyard.Storage;

namespace Switchyard.Surfaces;

/// <summary>
/// <c>GET /v1/key</c> (docs/admin-api.md): the caller's own key — name, allow-list, limits, credits
/// left, its team's limits and credits left, and usage this period (the current calendar month,
/// UTC). Errors in OpenAI's envelope, as the rest of <c>/v1</c>.
/// </summary>
internal static class AccountSurface
{
    public static IEndpointRouteBuilder MapAccount(this IEndpointRouteBuilder routes)
    {
        routes.MapGet("/v1/key", GetKeyAsync);
        return routes;
    }

    private static async Task GetKeyAsync(HttpContext context, AdminServices services, ILoggerFactory loggers)
    {
        try
        {
            await WriteKeyAsync(context, services);
        }
        catch (GatewayException exception)
        {
            await ErrorResponses.WriteAsync(context, exception.Error, DialectRegistry.DefaultErrors);
        }
        catch (Exception exception) when (!context.RequestAborted.IsCancellationRequested && StoreFailure.IsUnavailable(exception))
        {
            await ErrorResponses.WriteAsync(context, StoreFailure.Error(), DialectRegistry.DefaultErrors);
        }
        catch (Exception exception) when (!context.RequestAborted.IsCancellationRequested)
        {
            loggers.CreateLogger(typeof(AccountSurface)).UnhandledError(exception, context.Request.Path);
            await ErrorResponses.WriteAsync(context, GatewayError.Internal(), DialectRegistry.DefaultErrors);
        }
    }

    private static async Task WriteKeyAsync(HttpContext context, AdminServices services)
    {
        var caller = await Auth.CallerAuthentication.AuthenticateAsync(context);

        // This process's own rows first, so a client sees the request it just made.
        await services.Writer.FlushAsync(context.RequestAborted);
        var now = services.Time.GetUtcNow();
        var periodStart = new DateTimeOffset(now.Year, now.Month, 1, 0, 0, 0, TimeSpan.Zero);
        var usage = await services.SummarizeAsync(new UsageFilter { KeyId = caller.KeyId, Since = periodStart }, context.RequestAborted);
        var spent = caller.Credits is null ? 0m : await services.LedgeredSpentAsync(caller.KeyId, context.RequestAborted);
        var teamSpent = caller.Team is { Credits: not null } team ? await services.LedgeredTeamSpentAsync(team.Id, context.RequestAborted) : 0m;

        using var buffer = new PooledBufferWriter(512);
        using (var json = new Utf8JsonWriter(buffer, JsonWire.WriterOptions))
        {
            json.WriteStartObject();
            json.WriteString("id"u8, caller.KeyId);
            json.WriteString("name"u8, caller.Name);
            KeyObjects.WriteAllowedModels(json, caller.AllowedModels);
            json.WriteStartObject("limits"u8);
            KeyObjects.WriteOptional(json, "rpm"u8, caller.Rpm);
            KeyObjects.WriteOptional(json, "tpm"u8, caller.Tpm);
            KeyObjects.WriteOptional(json, "maxConcurrent"u8, caller.MaxConcurrent);
            json.WriteEndObject();
            KeyObjects.WriteCredits(json, caller.Credits, spent);
            if (caller.Team is { } callerTeam)
            {
                json.WriteStartObject("team"u8);
                json.WriteString("id"u8, callerTeam.Id);
                json.WriteString("name"u8, callerTeam.Name);
                json.WriteStartObject("limits"u8);
                KeyObjects.WriteOptional(json, "rpm"u8, callerTeam.Rpm);
                KeyObjects.WriteOptional(json, "tpm"u8, callerTeam.Tpm);
                KeyObjects.WriteOptional(json, "maxConcurrent"u8, callerTeam.MaxConcurrent);
                json.WriteEndObject();
                KeyObjects.WriteCredits(json, callerTeam.Credits, teamSpent);
                json.WriteEndObject();
            }
            else
            {
                json.WriteNull("team"u8);
            }

            json.WriteStartObject("usage"u8);
            json.WriteNumber("requests"u8, usage.Sum(u => u.Requests));
            json.WriteNumber("inputTokens"u8, usage.Sum(u => u.InputTokens + u.CachedInputTokens + u.CacheWriteTokens));
            json.WriteNumber("outputTokens"u8, usage.Sum(u => u.OutputTokens + u.ReasoningTokens));
            json.WriteNumber("cost"u8, KeyObjects.Normalize(usage.Sum(u => u.Cost)));
            json.WriteString("since"u8, KeyObjects.Format(periodStart));
            json.WriteEndObject();
            json.WriteEndObject();
        }

        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.WrittenCount;
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }
}
