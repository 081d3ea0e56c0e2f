using System.Reflection;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Switchyard.Dialects.Anthropic;
using Switchyard.Dialects.Bedrock;
using Switchyard.Dialects.Gemini;
using Switchyard.Dialects.OpenAI.Chat;
using Switchyard.Dialects.OpenAI.Completions;
using Switchyard.Dialects.OpenAI.Responses;

namespace Switchyard.Dialects.Tests.Json;

/// <summary>
/// How the source generator writes the dialects' lists. A list generated with a fast path over
/// elements that have none calls the serializer once per element, and each call builds a stack of
/// its own: an agent's 100 KB request allocated ~21 KB of such stacks per translation. Such lists
/// are declared metadata only, and a list added later must be too.
/// </summary>
public sealed class WireContextsTests
{
    public static TheoryData<string> Contexts => new(ContextsByName.Keys);

    private static readonly Dictionary<string, JsonSerializerContext> ContextsByName = new()
    {
        ["ChatCompletions"] = ChatCompletionsJsonContext.Default,
        ["Anthropic"] = AnthropicJsonContext.Default,
        ["Responses"] = ResponsesJsonContext.Default,
        ["Gemini"] = GeminiJsonContext.Default,
        ["Converse"] = ConverseJsonContext.Default,
        ["Completions"] = CompletionsJsonContext.Default,
        ["Dialects"] = DialectsJsonContext.Default,
    };

    [Theory]
    [MemberData(nameof(Contexts))]
    public void No_list_has_a_fast_path_over_elements_without_one(string name)
    {
        var context = ContextsByName[name];
        var offenders = new List<string>();
        foreach (var list in ListTypeInfos(context))
        {
            var element = context.GetTypeInfo(list.Type.GetGenericArguments()[0]);
            // Values (strings, numbers, a type with a converter of its own) are written in place.
            if (element is { Kind: not JsonTypeInfoKind.None } && HasFastPath(list) && !HasFastPath(element))
            {
                offenders.Add(list.Type.GetGenericArguments()[0].Name);
            }
        }

        Assert.Empty(offenders);
    }

    [Fact]
    public void The_agent_request_lists_are_written_without_a_fast_path()
    {
        // The lists a translated agent request is made of, each of which the check above covers
        // only if its element has no fast path either: held here by name so the check cannot pass
        // by a context losing the list altogether.
        Assert.False(HasFastPath(ChatCompletionsJsonContext.Default.ListChatMessageWire));
        Assert.False(HasFastPath(ChatCompletionsJsonContext.Default.ListChatToolWire));
        Assert.False(HasFastPath(AnthropicJsonContext.Default.ListContentBlockWire));
        Assert.False(HasFastPath(ResponsesJsonContext.Default.ListItemWire));
        Assert.False(HasFastPath(GeminiJsonContext.Default.ListPartWire));
    }

    private static IEnumerable<JsonTypeInfo> ListTypeInfos(JsonSerializerContext context) =>
        context.GetType()
            .GetProperties(BindingFlags.Public | BindingFlags.Instance)
            .Where(property => property.PropertyType.IsGenericType
                && property.PropertyType.GetGenericTypeDefinition() == typeof(JsonTypeInfo<>)
                && property.PropertyType.GetGenericArguments()[0] is { IsGenericType: true } type
                && type.GetGenericTypeDefinition() == typeof(List<>))
            .Select(property => (JsonTypeInfo)property.GetValue(context)!);

    private static bool HasFastPath(JsonTypeInfo typeInfo) =>
        typeInfo.GetType().GetProperty("SerializeHandler")!.GetValue(typeInfo) is not null;
}
