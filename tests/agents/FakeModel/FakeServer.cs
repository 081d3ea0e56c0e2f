using System.Text.Json;
using System.Text.Json.Nodes;

namespace Switchyard.Agents.FakeModel;

/// <summary>
/// Serves the four dialects on one port, each under its own prefix (<c>/chat/v1</c>,
/// <c>/responses/v1</c>, <c>/anthropic</c>, <c>/gemini</c>), all with the same upstream key.
/// </summary>
internal static class FakeServer
{
    public static async Task RunAsync(string urls, string key, string logPath)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls(urls);
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var log = new RequestLog(logPath);
        var chat = new ChatCompletionsDialect();
        var responses = new ResponsesDialect();
        var anthropic = new AnthropicDialect();
        var gemini = new GeminiDialect();

        app.MapPost("/chat/v1/chat/completions", context => HandleAsync(context, chat, key, log, model: null, stream: null));
        app.MapPost("/responses/v1/responses", context => HandleAsync(context, responses, key, log, model: null, stream: null));
        app.MapPost("/responses/v1/responses/input_tokens", context => CountAsync(context, responses, key, log, body => new JsonObject { ["object"] = "response.input_tokens", ["input_tokens"] = body }));
        app.MapPost("/anthropic/v1/messages", context => HandleAsync(context, anthropic, key, log, model: null, stream: null));
        app.MapPost("/anthropic/v1/messages/count_tokens", context => CountAsync(context, anthropic, key, log, body => new JsonObject { ["input_tokens"] = body }));
        app.MapPost("/gemini/v1beta/models/{**call}", (HttpContext context, string call) =>
        {
            var colon = call.LastIndexOf(':');
            var (model, method) = colon < 0 ? (call, "") : (call[..colon], call[(colon + 1)..]);
            return method switch
            {
                "generateContent" => HandleAsync(context, gemini, key, log, model, stream: false),
                "streamGenerateContent" => HandleAsync(context, gemini, key, log, model, stream: true),
                "countTokens" => CountAsync(context, gemini, key, log, body => new JsonObject { ["totalTokens"] = body }),
                _ => gemini.WriteErrorAsync(context, 404, $"Method {method} is not found for model {model}."),
            };
        });
        app.MapGet("/{dialect}/v1/models", (string dialect) => Results.Json(new JsonObject
        {
            ["object"] = "list",
            ["data"] = new JsonArray(new JsonObject { ["id"] = "fake-" + dialect, ["object"] = "model", ["created"] = 0, ["owned_by"] = "switchyard-agents-check" }),
        }, AppJsonContext.Default.JsonObject));
        app.MapFallback(context =>
        {
            log.Append(new JsonObject { ["dialect"] = "none", ["path"] = context.Request.Path.Value, ["status"] = 404 });
            context.Response.StatusCode = 404;
            return Task.CompletedTask;
        });

        await app.RunAsync();
    }

    private static async Task HandleAsync(HttpContext context, Dialect dialect, string key, RequestLog log, string? model, bool? stream)
    {
        var entry = new JsonObject { ["dialect"] = dialect.Name, ["path"] = context.Request.Path.Value + context.Request.QueryString.Value };
        var (body, status, error) = await ReadBodyAsync(context, dialect, key);
        entry["body"] = body?.DeepClone();
        if (error is not null)
        {
            entry["status"] = status;
            entry["error"] = error;
            log.Append(entry);
            await dialect.WriteErrorAsync(context, status, error);
            return;
        }

        ParsedRequest request;
        try
        {
            request = dialect.Read(body!) with { Body = body };
            request = request with
            {
                Model = model ?? request.Model,
                Stream = stream ?? request.Stream,
            };
        }
        catch (ApiRejection rejection)
        {
            entry["status"] = rejection.Status;
            entry["error"] = rejection.Message;
            log.Append(entry);
            await dialect.WriteErrorAsync(context, rejection.Status, rejection.Message);
            return;
        }

        var (phase, token, answer) = Script.Decide(request, dialect.NewCallId);
        entry["status"] = 200;
        entry["model"] = request.Model;
        entry["stream"] = request.Stream;
        entry["phase"] = phase.ToString();
        entry["token"] = token;
        entry["tools"] = new JsonArray(request.Tools.Select(t => (JsonNode)JsonValue.Create(t.Name)).ToArray());
        entry["items"] = new JsonArray(request.Items.Select(i => (JsonNode)RequestLog.ToJson(i)).ToArray());
        entry["answer"] = answer switch
        {
            TextAnswer text => new JsonObject { ["text"] = text.Text },
            ToolCallAnswer call => new JsonObject { ["tool"] = call.Tool.Name, ["kind"] = call.Tool.Kind.ToString(), ["id"] = call.CallId, ["arguments"] = call.Arguments },
            _ => null,
        };
        log.Append(entry);
        await dialect.WriteAnswerAsync(context, request, answer);
    }

    private static async Task CountAsync(HttpContext context, Dialect dialect, string key, RequestLog log, Func<int, JsonObject> answer)
    {
        var (body, status, error) = await ReadBodyAsync(context, dialect, key);
        log.Append(new JsonObject { ["dialect"] = dialect.Name, ["path"] = context.Request.Path.Value, ["status"] = status, ["error"] = error, ["phase"] = "Count", ["body"] = body?.DeepClone() });
        if (error is not null)
        {
            await dialect.WriteErrorAsync(context, status, error);
            return;
        }

        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(answer(Math.Max(1, body!.ToJsonString().Length / 4)).ToJsonString());
    }

    private static async Task<(JsonObject? Body, int Status, string? Error)> ReadBodyAsync(HttpContext context, Dialect dialect, string key)
    {
        using var reader = new StreamReader(context.Request.Body);
        var text = await reader.ReadToEndAsync(context.RequestAborted);
        JsonObject? body = null;
        try
        {
            body = JsonNode.Parse(text) as JsonObject;
        }
        catch (JsonException)
        {
        }

        if (!dialect.IsAuthenticated(context.Request, key))
        {
            return (body, 401, "Incorrect API key provided.");
        }

        return body is null ? (null, 400, "We could not parse the JSON body of your request.") : (body, 200, null);
    }
}
