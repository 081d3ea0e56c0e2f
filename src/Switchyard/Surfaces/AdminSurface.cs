using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Logging;
using Switchyard.Admin;
using Switchyard.Auth;
using Switchyard.Diagnostics;
using Switchyard.Dialects;
using Switchyard.Dialects.Json;
using Switchyard.Metering;
using Switchyard.Pipeline;
using Switchyard.Storage;

namespace Switchyard.Surfaces;

/// <summary>
/// The admin API of docs/admin-api.md: keys, teams (<see cref="AdminTeamRoutes"/>), credits, usage and
/// the request log, for the master key only (an unknown key is 401, any other valid key 403).
/// Errors are ProblemDetails. Changes to a key or a team reach this process at once (the key cache
/// is dropped) and the others within 5 seconds.
/// </summary>
internal static class AdminSurface
{
    private const int MaxBodyBytes = 64 * 1024;
    private const int MaxLimit = 1000;

    public static IEndpointRouteBuilder MapAdmin(this IEndpointRouteBuilder routes)
    {
        var admin = routes.MapGroup("/admin");
        admin.MapPost("/keys", CreateKeyAsync);
        admin.MapGet("/keys", ListKeysAsync);
        admin.MapGet("/keys/{id}", GetKeyAsync);
        admin.MapPatch("/keys/{id}", UpdateKeyAsync);
        admin.MapDelete("/keys/{id}", RevokeKeyAsync);
        admin.MapPost("/keys/{id}/credits", AddCreditsAsync);
        AdminTeamRoutes.Map(admin);
        admin.MapGet("/usage", UsageAsync);
        admin.MapGet("/requests", RequestsAsync);
        return routes;
    }

    private static Task CreateKeyAsync(HttpContext context, AdminServices services) => GuardAsync(context, services, async () =>
    {
        using var body = await ReadBodyAsync(context);
        var fields = KeyFields.Read(body.RootElement, requireName: true);
        await TeamExistsAsync(services, fields, context.RequestAborted);
        var created = await services.CreateKeyAsync(new KeyRecord
        {
            Id = "",
            Name = fields.Name!,
            Prefix = "",
            Hash = "",
            AllowedModels = fields.AllowedModels.Value,
            Rpm = fields.Rpm.Value,
            Tpm = fields.Tpm.Value,
            MaxConcurrent = fields.MaxConcurrent.Value,
            Credits = fields.Credits.Value,
            ExpiresAt = fields.ExpiresAt.Value,
            TeamId = fields.Team.Value,
        }, context.RequestAborted);
        var (record, secret) = created ?? throw NoSuchTeam(fields.Team.Value!);
        context.Response.StatusCode = StatusCodes.Status201Created;
        context.Response.Headers.Location = "/admin/keys/" + record.Id;
        await WriteJsonAsync(context, writer => KeyObjects.WriteKey(writer, record, 0m, secret));
    });

    private static Task ListKeysAsync(HttpContext context, AdminServices services) => GuardAsync(context, services, async () =>
    {
        await services.Writer.FlushAsync(context.RequestAborted);
        var keys = await services.ListKeysAsync(context.RequestAborted);
        var spent = await services.SpentByKeyAsync(context.RequestAborted);
        await WriteJsonAsync(context, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("data"u8);
            foreach (var key in keys)
            {
                KeyObjects.WriteKey(writer, key, spent.GetValueOrDefault(key.Id));
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    });

    private static Task GetKeyAsync(HttpContext context, string id, AdminServices services) => GuardAsync(context, services, async () =>
    {
        var key = await FindAsync(services, id, context.RequestAborted);
        await WriteKeyAsync(context, services, key);
    });

    private static Task UpdateKeyAsync(HttpContext context, string id, AdminServices services) => GuardAsync(context, services, async () =>
    {
        using var body = await ReadBodyAsync(context);
        var fields = KeyFields.Read(body.RootElement, requireName: false);
        await TeamExistsAsync(services, fields, context.RequestAborted);

        // Only the fields sent are written: a top-up made meanwhile is not overwritten with a stale grant.
        var updated = await services.ChangeKeyAsync(id, fields.ToChanges(), context.RequestAborted)
            ?? throw (fields.Team.Value is { } team && await services.GetKeyAsync(id, context.RequestAborted) is not null ? NoSuchTeam(team) : NotFound(id));
        await WriteKeyAsync(context, services, updated);
    });

    private static Task RevokeKeyAsync(HttpContext context, string id, AdminServices services) => GuardAsync(context, services, async () =>
    {
        if (!await services.RevokeKeyAsync(id, context.RequestAborted))
        {
            throw NotFound(id);
        }

        context.Response.StatusCode = StatusCodes.Status204NoContent;
    });

    private static Task AddCreditsAsync(HttpContext context, string id, AdminServices services) => GuardAsync(context, services, async () =>
    {
        using var body = await ReadBodyAsync(context);
        var key = await services.AddCreditsAsync(id, ReadAmount(body.RootElement), context.RequestAborted) ?? throw NotFound(id);
        await WriteKeyAsync(context, services, key);
    });

    private static Task UsageAsync(HttpContext context, AdminServices services) => GuardAsync(context, services, async () =>
    {
        var filter = ReadFilter(context.Request.Query);
        await services.Writer.FlushAsync(context.RequestAborted);
        var rows = await services.SummarizeAsync(filter, context.RequestAborted);
        await WriteJsonAsync(context, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("data"u8);
            foreach (var row in rows)
            {
                writer.WriteStartObject();
                writer.WriteString("day"u8, row.Day);
                writer.WriteString("keyId"u8, row.KeyId);
                KeyObjects.WriteOptional(writer, "teamId"u8, row.TeamId);
                writer.WriteString("model"u8, row.Model);
                writer.WriteNumber("requests"u8, row.Requests);
                writer.WriteNumber("inputTokens"u8, row.InputTokens);
                writer.WriteNumber("cachedInputTokens"u8, row.CachedInputTokens);
                writer.WriteNumber("cacheWriteTokens"u8, row.CacheWriteTokens);
                writer.WriteNumber("outputTokens"u8, row.OutputTokens);
                writer.WriteNumber("reasoningTokens"u8, row.ReasoningTokens);
                writer.WriteNumber("cost"u8, KeyObjects.Normalize(row.Cost));
                writer.WriteEndObject();
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    });

    private static Task RequestsAsync(HttpContext context, AdminServices services) => GuardAsync(context, services, async () =>
    {
        var query = context.Request.Query;
        var filter = ReadFilter(query);
        if (query["status"].ToString() is { Length: > 0 } statusText)
        {
            filter = filter with { Status = int.TryParse(statusText, NumberStyles.None, CultureInfo.InvariantCulture, out var status) ? status : throw Invalid("'status' must be an HTTP status code.", "status") };
        }

        if (query["limit"].ToString() is { Length: > 0 } limitText)
        {
            filter = filter with
            {
                Limit = int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit is > 0 and <= MaxLimit
                    ? limit
                    : throw Invalid($"'limit' must be an integer from 1 to {MaxLimit}.", "limit"),
            };
        }

        await services.Writer.FlushAsync(context.RequestAborted);
        var rows = await services.RecentAsync(filter, context.RequestAborted);
        await WriteJsonAsync(context, writer =>
        {
            writer.WriteStartObject();
            writer.WriteStartArray("data"u8);
            foreach (var row in rows)
            {
                WriteRequest(writer, row);
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
        });
    });

    private static void WriteRequest(Utf8JsonWriter writer, UsageRecord row)
    {
        writer.WriteStartObject();
        writer.WriteString("id"u8, row.RequestId);
        if (row.ClientRequestId is { } clientId)
        {
            writer.WriteString("clientRequestId"u8, clientId);
        }

        writer.WriteString("keyId"u8, row.KeyId);
        KeyObjects.WriteOptional(writer, "teamId"u8, row.TeamId);
        writer.WriteString("model"u8, row.Model);
        if (row.Deployment is { } deployment)
        {
            writer.WriteString("deployment"u8, deployment);
        }
        else
        {
            writer.WriteNull("deployment"u8);
        }

        writer.WriteString("surface"u8, row.Surface);
        writer.WriteNumber("status"u8, row.Status);
        writer.WriteNumber("latencyMs"u8, Math.Round(row.LatencyMs, 3));
        if (row.TimeToFirstTokenMs is { } ttft)
        {
            writer.WriteNumber("ttftMs"u8, Math.Round(ttft, 3));
        }
        else
        {
            writer.WriteNull("ttftMs"u8);
        }

        writer.WriteNumber("attempts"u8, row.Attempts);
        writer.WriteNumber("inputTokens"u8, row.Usage.InputTokens);
        writer.WriteNumber("cachedInputTokens"u8, row.Usage.CacheReadTokens);
        writer.WriteNumber("cacheWriteTokens"u8, row.Usage.CacheWriteTokens);
        writer.WriteNumber("outputTokens"u8, row.Usage.OutputTokens);
        writer.WriteNumber("reasoningTokens"u8, row.Usage.ReasoningTokens);
        writer.WriteNumber("cost"u8, KeyObjects.Normalize(row.Cost));
        writer.WriteString("createdAt"u8, KeyObjects.Format(row.CreatedAt));
        writer.WriteEndObject();
    }

    private static async Task WriteKeyAsync(HttpContext context, AdminServices services, KeyRecord key)
    {
        var spent = key.Credits is null ? 0m : await SpentAsync(services, key.Id, context.RequestAborted);
        await WriteJsonAsync(context, writer => KeyObjects.WriteKey(writer, key, spent));
    }

    private static async Task<decimal> SpentAsync(AdminServices services, string keyId, CancellationToken cancellationToken)
    {
        await services.Writer.FlushAsync(cancellationToken);
        return await services.LedgeredSpentAsync(keyId, cancellationToken);
    }

    private static async Task<KeyRecord> FindAsync(AdminServices services, string id, CancellationToken cancellationToken) =>
        await services.GetKeyAsync(id, cancellationToken) ?? throw NotFound(id);

    /// <summary>keyId, teamId, model, since, until; a bare date as <c>until</c> includes that whole day.</summary>
    private static UsageFilter ReadFilter(IQueryCollection query)
    {
        return new UsageFilter
        {
            KeyId = query["keyId"].ToString() is { Length: > 0 } keyId ? keyId : null,
            TeamId = query["teamId"].ToString() is { Length: > 0 } teamId ? teamId : null,
            Model = query["model"].ToString() is { Length: > 0 } model ? model : null,
            Since = Time(query, "since", endOfDay: false),
            Until = Time(query, "until", endOfDay: true),
        };
    }

    private static DateTimeOffset? Time(IQueryCollection query, string name, bool endOfDay)
    {
        var text = query[name].ToString();
        if (text.Length == 0)
        {
            return null;
        }

        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day))
        {
            var start = new DateTimeOffset(day.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
            return endOfDay ? start.AddDays(1) : start;
        }

        return DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time)
            ? time
            : throw Invalid($"'{name}' must be a date (2025-01-31) or an ISO 8601 time.", name);
    }

    /// <summary>A top-up's <c>{"amount": n}</c>: a number, which may be negative.</summary>
    internal static decimal ReadAmount(JsonElement body) =>
        body.TryGetProperty("amount", out var amount) && amount.ValueKind == JsonValueKind.Number && amount.TryGetDecimal(out var value)
            ? value
            : throw Invalid("'amount' is required and must be a number (it may be negative).", "amount");

    /// <summary>A key names only a team that exists (400 otherwise); the store checks again where it writes.</summary>
    private static async Task TeamExistsAsync(AdminServices services, KeyFields fields, CancellationToken cancellationToken)
    {
        if (fields.Team.Value is { } team && await services.GetTeamAsync(team, cancellationToken) is null)
        {
            throw NoSuchTeam(team);
        }
    }

    internal static async Task<JsonDocument> ReadBodyAsync(HttpContext context)
    {
        using var body = await RequestBody.ReadAsync(context.Request, MaxBodyBytes, context.RequestAborted);
        try
        {
            var document = JsonDocument.Parse(body.WrittenMemory.ToArray());
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                document.Dispose();
                throw Invalid("The body must be a JSON object.", null);
            }

            return document;
        }
        catch (JsonException exception)
        {
            throw Invalid($"The body is not valid JSON: {exception.Message}", null);
        }
    }

    internal static async Task GuardAsync(HttpContext context, AdminServices services, Func<Task> handle)
    {
        try
        {
            Caller caller;
            try
            {
                caller = await CallerAuthentication.AuthenticateAsync(context);
            }
            catch (GatewayException)
            {
                throw new GatewayException(new GatewayError(GatewayErrorKind.Unauthenticated, "The API key is missing, not valid, expired or revoked."));
            }

            if (!caller.IsMaster)
            {
                throw new GatewayException(new GatewayError(GatewayErrorKind.ModelNotAllowed, "The admin API needs the master key."));
            }

            await handle();
        }
        catch (GatewayException exception)
        {
            await ErrorResponses.WriteProblemAsync(context, exception.Error);
        }
        catch (BadHttpRequestException exception)
        {
            await ErrorResponses.WriteProblemAsync(context, GatewayError.InvalidRequest($"The request body could not be read: {exception.Message}"));
        }
        catch (Exception) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away.
        }
        catch (Exception exception) when (StoreFailure.IsUnavailable(exception))
        {
            await ErrorResponses.WriteProblemAsync(context, StoreFailure.Error());
        }
        catch (Exception exception)
        {
            services.Logger.UnhandledError(exception, context.Request.Path);
            await ErrorResponses.WriteProblemAsync(context, GatewayError.Internal());
        }
    }

    internal static async Task WriteJsonAsync(HttpContext context, Action<Utf8JsonWriter> write)
    {
        using var buffer = new PooledBufferWriter(1024);
        using (var writer = new Utf8JsonWriter(buffer, JsonWire.WriterOptions))
        {
            write(writer);
        }

        context.Response.ContentType = "application/json";
        context.Response.ContentLength = buffer.WrittenCount;
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }

    internal static GatewayException Invalid(string message, string? param) => new(GatewayError.InvalidRequest(message, param));

    private static GatewayException NotFound(string id) => new(new GatewayError(GatewayErrorKind.NotFound, $"No key has the id '{id}'."));

    private static GatewayException NoSuchTeam(string id) => Invalid($"No team has the id '{id}'.", "team");
}
