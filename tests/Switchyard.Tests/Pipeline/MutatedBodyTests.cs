using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CsCheck;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Switchyard.Testing;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Pipeline;

/// <summary>
/// Bodies mutated from valid ones (fields dropped, sent twice, retyped; huge, negative and
/// not-a-number numbers; deep nesting; odd Unicode; truncation; bytes that are not UTF-8), sent
/// to every client surface through a real gateway, both to an upstream of the same dialect
/// (passthrough) and to one of another (translated). Whatever the body, the gateway answers below
/// 500 (the upstreams here never fail), an error is in the surface's own envelope, nothing internal
/// shows (stack traces, exception or type names, file paths, upstream addresses, the upstream key),
/// and nothing is logged as an unhandled error.
/// </summary>
public sealed partial class MutatedBodyTests(MutatedBodyTests.Gateway gateway) : IClassFixture<MutatedBodyTests.Gateway>
{
    /// <summary>Samples per surface and path: with every surface both ways, about 2,200 requests in all.</summary>
    private const int Iterations = 80;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private enum Envelope
    {
        OpenAI,
        Anthropic,
        Gemini,
    }

    /// <summary>A client route: its seeds, its envelope, the model it passes through to and the one it is translated for (if any).</summary>
    private sealed record Route(string Path, Envelope Envelope, string[] Seeds, string Passthrough, string? Translated)
    {
        public string PathFor(string model) => Path.Replace("{model}", model, StringComparison.Ordinal);
    }

    private static readonly Dictionary<string, Route> Routes = new()
    {
        ["chat"] = new("/v1/chat/completions", Envelope.OpenAI, Seeds.Chat, "oai-chat", "claude-chat"),
        ["completions"] = new("/v1/completions", Envelope.OpenAI, Seeds.Completions, "oai-chat", "claude-chat"),
        ["responses"] = new("/v1/responses", Envelope.OpenAI, Seeds.Responses, "oai-responses", "gem-chat"),
        ["input_tokens"] = new("/v1/responses/input_tokens", Envelope.OpenAI, Seeds.Responses, "oai-responses", "claude-chat"),
        ["messages"] = new("/v1/messages", Envelope.Anthropic, Seeds.Messages, "claude-chat", "oai-chat"),
        ["count_tokens"] = new("/v1/messages/count_tokens", Envelope.Anthropic, Seeds.Messages, "claude-chat", "oai-chat"),
        ["generateContent"] = new("/v1beta/models/{model}:generateContent", Envelope.Gemini, Seeds.Gemini, "gem-chat", "oai-chat"),
        ["streamGenerateContent"] = new("/v1beta/models/{model}:streamGenerateContent", Envelope.Gemini, Seeds.Gemini, "gem-chat", "oai-chat"),
        ["streamGenerateContent?alt=sse"] = new("/v1beta/models/{model}:streamGenerateContent?alt=sse", Envelope.Gemini, Seeds.Gemini, "gem-chat", "claude-chat"),
        ["countTokens"] = new("/v1beta/models/{model}:countTokens", Envelope.Gemini, Seeds.Gemini, "gem-chat", "claude-chat"),
        ["embeddings"] = new("/v1/embeddings", Envelope.OpenAI, Seeds.Embeddings, "oai-embed", "gem-embed"),
        ["embedContent"] = new("/v1beta/models/{model}:embedContent", Envelope.Gemini, Seeds.GeminiEmbed, "gem-embed", "oai-embed"),
        ["batchEmbedContents"] = new("/v1beta/models/{model}:batchEmbedContents", Envelope.Gemini, Seeds.GeminiBatchEmbed, "gem-embed", "oai-embed"),
        ["images"] = new("/v1/images/generations", Envelope.OpenAI, Seeds.Images, "oai-image", null),
        ["speech"] = new("/v1/audio/speech", Envelope.OpenAI, Seeds.Speech, "oai-tts", null),
    };

    public static TheoryData<string, bool> Cases()
    {
        var cases = new TheoryData<string, bool>();
        foreach (var (name, route) in Routes)
        {
            cases.Add(name, false);
            if (route.Translated is not null)
            {
                cases.Add(name, true);
            }
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task A_mutated_body_is_answered_below_500_in_the_surfaces_envelope_with_nothing_internal(string name, bool translated)
    {
        var route = Routes[name];
        var model = translated ? route.Translated! : route.Passthrough;
        var seeds = route.Seeds.Select(s => s.Replace("MODEL", model, StringComparison.Ordinal)).ToArray();
        using var client = gateway.Instance.HttpClient();

        await BodyMutations.From(seeds).SampleAsync(async body =>
        {
            var logged = gateway.Logs.Logs.Count;
            using var content = new ByteArrayContent(body.Body);
            content.Headers.ContentType = new("application/json");

            using var response = await client.PostAsync(route.PathFor(model), content, Ct);
            var text = await response.Content.ReadAsStringAsync(Ct);

            var status = (int)response.StatusCode;
            Assert.True(status < 500, $"{status}: {text}");
            if (status >= 400)
            {
                AssertEnvelope(route.Envelope, status, text);
            }
            else if (response.Content.Headers.ContentType?.MediaType == "application/json")
            {
                JsonNode.Parse(text);
            }

            AssertNothingInternal(text + string.Join('\n', response.Headers.Select(h => h.Key + ": " + string.Join(',', h.Value))));
            var errors = gateway.Logs.Logs.Skip(logged).Where(log => log.Level >= LogLevel.Error || log.Exception is not null).ToList();
            Assert.True(errors.Count == 0, string.Join('\n', errors.Select(e => $"{e.Category} {e.Level}: {e.Message} {e.Exception}")));
        }, iter: Iterations, threads: 1, print: body => body.ToString());
    }

    private static void AssertEnvelope(Envelope envelope, int status, string text)
    {
        var root = JsonNode.Parse(text)!.AsObject();
        switch (envelope)
        {
            case Envelope.OpenAI:
                Assert.Equal(["error"], root.Select(p => p.Key));
                Assert.Equal(["code", "message", "param", "type"], root["error"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
                Assert.False(string.IsNullOrWhiteSpace((string?)root["error"]!["message"]));
                break;
            case Envelope.Anthropic:
                Assert.Equal("error", (string?)root["type"]);
                Assert.Equal(["message", "type"], root["error"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
                Assert.False(string.IsNullOrWhiteSpace((string?)root["error"]!["message"]));
                break;
            case Envelope.Gemini:
                Assert.Equal(["error"], root.Select(p => p.Key));
                Assert.Equal(status, (int?)root["error"]!["code"]);
                Assert.False(string.IsNullOrWhiteSpace((string?)root["error"]!["message"]));
                Assert.False(string.IsNullOrWhiteSpace((string?)root["error"]!["status"]));
                break;
        }
    }

    private void AssertNothingInternal(string text)
    {
        Assert.DoesNotContain(GatewayInstance.UpstreamKey, text, StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", text, StringComparison.Ordinal);
        Assert.DoesNotContain("localhost", text, StringComparison.OrdinalIgnoreCase);
        foreach (var port in gateway.UpstreamPorts)
        {
            Assert.DoesNotContain(":" + port, text, StringComparison.Ordinal);
        }

        Assert.DoesNotMatch(Internal(), text);
    }

    /// <summary>
    /// Stack frames, exception and type names of .NET or of the gateway, source and temporary file
    /// paths. Without backtracking: an answer that echoes a 70,000-letter field would otherwise take
    /// <c>\w+Exception</c> most of a minute.
    /// </summary>
    [GeneratedRegex(@"   at |\w+Exception\b|\bSystem\.[A-Z]|\bSwitchyard\.[A-Z]|\bMicrosoft\.[A-Z]|\.cs\b|/work/|/tmp/|/home/|/root/", RegexOptions.NonBacktracking)]
    private static partial Regex Internal();

    /// <summary>
    /// One gateway for every case, with an OpenAI-compatible, an Anthropic and a Gemini upstream that
    /// answer every method they serve in their real wire format, and refuse a body that is no JSON
    /// object as the real APIs do.
    /// </summary>
    public sealed class Gateway : IAsyncLifetime
    {
        private FakeUpstream[] _upstreams = [];

        public GatewayInstance Instance { get; private set; } = null!;

        public CapturingLoggerProvider Logs { get; } = new();

        public IReadOnlyList<string> UpstreamPorts => _upstreams.Select(u => new Uri(u.BaseUrl).Port.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();

        public async ValueTask InitializeAsync()
        {
            var openai = await FakeUpstream.StartAsync();
            var anthropic = await FakeUpstream.StartAsync();
            var gemini = await FakeUpstream.StartAsync();
            _upstreams = [openai, anthropic, gemini];
            openai.Default = AnswerOpenAIAsync;
            anthropic.Default = AnswerAnthropicAsync;
            gemini.Default = AnswerGeminiAsync;
            Instance = await GatewayInstance.StartAsync(config =>
            {
                var providers = config["providers"]!.AsArray();
                providers.Add(new JsonObject { ["name"] = "oai", ["type"] = "openai", ["baseUrl"] = openai.BaseUrl + "/v1", ["apiKey"] = GatewayInstance.UpstreamKey });
                providers.Add(new JsonObject { ["name"] = "claude", ["type"] = "anthropic", ["baseUrl"] = anthropic.BaseUrl, ["apiKey"] = GatewayInstance.UpstreamKey });
                providers.Add(new JsonObject { ["name"] = "gem", ["type"] = "gemini", ["baseUrl"] = gemini.BaseUrl, ["apiKey"] = GatewayInstance.UpstreamKey });
                var models = config["models"]!.AsArray();
                models.Add(new JsonObject { ["id"] = "oai-chat", ["provider"] = "oai", ["contextWindow"] = 100_000 });
                models.Add(new JsonObject { ["id"] = "oai-responses", ["provider"] = "oai", ["api"] = "responses" });
                models.Add(new JsonObject { ["id"] = "claude-chat", ["provider"] = "claude" });
                models.Add(new JsonObject { ["id"] = "gem-chat", ["provider"] = "gem" });
                models.Add(new JsonObject { ["id"] = "oai-embed", ["provider"] = "oai", ["kind"] = "embedding" });
                models.Add(new JsonObject { ["id"] = "gem-embed", ["provider"] = "gem", ["kind"] = "embedding" });
                models.Add(new JsonObject { ["id"] = "oai-image", ["provider"] = "oai", ["kind"] = "image", ["pricing"] = new JsonObject { ["perImage"] = new JsonObject { ["*"] = 0.01 } } });
                models.Add(new JsonObject { ["id"] = "oai-tts", ["provider"] = "oai", ["kind"] = "audio" });
            }, logs: Logs);
        }

        public async ValueTask DisposeAsync()
        {
            await Instance.DisposeAsync();
            foreach (var upstream in _upstreams)
            {
                await upstream.DisposeAsync();
            }
        }

        private static JsonObject? Parse(RecordedRequest request)
        {
            try
            {
                return JsonNode.Parse(request.Body) as JsonObject;
            }
            catch (System.Text.Json.JsonException)
            {
                return null;
            }
        }

        private static Task AnswerOpenAIAsync(HttpContext context, RecordedRequest request)
        {
            if (Parse(request) is not { } body)
            {
                return FakeUpstream.WriteJsonAsync(context, ResponsesAnswers.Error("We could not parse the JSON body of your request."), 400);
            }

            var stream = body["stream"] is JsonValue value && value.TryGetValue<bool>(out var on) && on;
            var path = request.Path;
            if (path.EndsWith("/chat/completions", StringComparison.Ordinal))
            {
                return stream ? FakeUpstream.WriteSseAsync(context, UpstreamAnswers.TextStream("o", "k")) : FakeUpstream.WriteJsonAsync(context, UpstreamAnswers.ChatCompletion("ok"));
            }

            if (path.EndsWith("/responses/input_tokens", StringComparison.Ordinal))
            {
                return FakeUpstream.WriteJsonAsync(context, """{"object":"response.input_tokens","input_tokens":7}""");
            }

            if (path.EndsWith("/responses", StringComparison.Ordinal))
            {
                return stream
                    ? FakeUpstream.WriteSseAsync(context, new ResponsesAnswers.StreamBuilder().Started().Message("msg_1", "o", "k").Completed().Frames)
                    : FakeUpstream.WriteJsonAsync(context, ResponsesAnswers.Text("ok"));
            }

            if (path.EndsWith("/embeddings", StringComparison.Ordinal))
            {
                var base64 = body["encoding_format"] is JsonValue format && format.TryGetValue<string>(out var encoding) && encoding == "base64";
                var vector = base64 ? "\"AACAPgAAAL8=\"" : "[0.25,-0.5]";
                return FakeUpstream.WriteJsonAsync(context, $$$"""{"object":"list","data":[{"object":"embedding","index":0,"embedding":{{{vector}}}}],"model":"up","usage":{"prompt_tokens":2,"total_tokens":2}}""");
            }

            if (path.EndsWith("/images/generations", StringComparison.Ordinal))
            {
                return FakeUpstream.WriteJsonAsync(context, $$"""{"created":1700000000,"data":[{"b64_json":"{{Pixel.Png}}"}]}""");
            }

            context.Response.ContentType = "audio/mpeg";
            return context.Response.Body.WriteAsync(new byte[] { 0xFF, 0xF3, 0x44, 0xC4 }).AsTask();
        }

        private static Task AnswerAnthropicAsync(HttpContext context, RecordedRequest request)
        {
            if (Parse(request) is not { } body)
            {
                return FakeUpstream.WriteJsonAsync(context, AnthropicAnswers.Error("invalid_request_error", "There was an issue with the format of your request."), 400);
            }

            if (request.Path.EndsWith("/count_tokens", StringComparison.Ordinal))
            {
                return FakeUpstream.WriteJsonAsync(context, """{"input_tokens":7}""");
            }

            var stream = body["stream"] is JsonValue value && value.TryGetValue<bool>(out var on) && on;
            return stream ? FakeUpstream.WriteSseAsync(context, AnthropicAnswers.TextStream("o", "k")) : FakeUpstream.WriteJsonAsync(context, AnthropicAnswers.Text("ok"));
        }

        private static Task AnswerGeminiAsync(HttpContext context, RecordedRequest request)
        {
            if (Parse(request) is not { } body)
            {
                return FakeUpstream.WriteJsonAsync(context, GeminiAnswers.Error(400, "INVALID_ARGUMENT", "Invalid JSON payload received."), 400);
            }

            var path = request.Path;
            if (path.EndsWith(":countTokens", StringComparison.Ordinal))
            {
                return FakeUpstream.WriteJsonAsync(context, """{"totalTokens":7}""");
            }

            if (path.EndsWith(":streamGenerateContent", StringComparison.Ordinal))
            {
                var chunks = GeminiAnswers.TextStream("o", "k");
                return request.Query.Contains("alt=sse", StringComparison.Ordinal)
                    ? FakeUpstream.WriteSseAsync(context, chunks)
                    : FakeUpstream.WriteJsonAsync(context, "[" + string.Join(",", chunks.Select(c => c["data: ".Length..])) + "]");
            }

            if (path.EndsWith(":batchEmbedContents", StringComparison.Ordinal))
            {
                var count = body["requests"] is JsonArray requests ? requests.Count : 1;
                return FakeUpstream.WriteJsonAsync(context, "{\"embeddings\":[" + string.Join(",", Enumerable.Repeat("""{"values":[0.25,-0.5]}""", count)) + "]}");
            }

            if (path.EndsWith(":embedContent", StringComparison.Ordinal))
            {
                return FakeUpstream.WriteJsonAsync(context, """{"embedding":{"values":[0.25,-0.5]}}""");
            }

            return FakeUpstream.WriteJsonAsync(context, GeminiAnswers.Text("ok"));
        }
    }
}
