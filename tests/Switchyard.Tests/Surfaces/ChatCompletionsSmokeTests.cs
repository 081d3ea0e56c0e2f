using OpenAI.Chat;
using Switchyard.Tests.Infrastructure;

namespace Switchyard.Tests.Surfaces;

public sealed class ChatCompletionsSmokeTests
{
    [Fact]
    public async Task Echo_answers_the_official_sdk()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        var client = gateway.OpenAIClient().GetChatClient("echo");

        var completion = await client.CompleteChatAsync([new UserChatMessage("hello there")]);

        Assert.Equal("Echo: hello there", completion.Value.Content[0].Text);
        Assert.Equal("echo", completion.Value.Model);
        Assert.True(completion.Value.Usage.InputTokenCount > 0);
    }

    [Fact]
    public async Task Passthrough_streams_from_an_openai_upstream()
    {
        await using var upstream = await FakeUpstream.StartAsync();
        await using var gateway = await GatewayInstance.StartWithOpenAIAsync(upstream);
        upstream.EnqueueSse([
            """data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-upstream-2025","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}""",
            """data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-upstream-2025","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}]}""",
            """data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-upstream-2025","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}""",
            """data: {"id":"c1","object":"chat.completion.chunk","created":1,"model":"gpt-upstream-2025","choices":[],"usage":{"prompt_tokens":5,"completion_tokens":1,"total_tokens":6}}""",
            "data: [DONE]",
        ]);
        var client = gateway.OpenAIClient().GetChatClient("gpt-test");

        var text = "";
        ChatTokenUsage? usage = null;
        await foreach (var update in client.CompleteChatStreamingAsync([new UserChatMessage("hi")]))
        {
            text += string.Concat(update.ContentUpdate.Select(p => p.Text));
            usage ??= update.Usage;
            Assert.Equal("gpt-test", update.Model);
        }

        Assert.Equal("Hi", text);
        Assert.Equal(5, usage?.InputTokenCount);
        var sent = upstream.LastRequest.Json;
        Assert.Equal("gpt-upstream", (string?)sent["model"]);
        Assert.True((bool?)sent["stream_options"]?["include_usage"]);
        Assert.Equal("Bearer sk-upstream-secret-key-123456", upstream.LastRequest.Header("authorization"));
    }
}
