namespace Switchyard.Tests.Infrastructure.Clouds;

/// <summary>The words of the matrix's conversations, shared by the surfaces that ask and the upstreams that answer.</summary>
public static class Story
{
    public const string Hello = "Hello from the cloud.";

    public const string ToolName = "get_weather";

    public const string ToolDescription = "Weather for a city";

    public const string ToolSchema = """{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}""";

    public const string ToolArguments = """{"city":"Paris"}""";

    public const string ToolResult = "sunny, 21C";

    public const string AfterTool = "Sunny in Paris.";

    public const string ImageAnswer = "A single pixel.";

    public const string Thought = "Six times seven is 42.";

    public const string AfterThought = "42.";

    public const int InputTokens = 11;

    public const int OutputTokens = 7;

    /// <summary>The user's words for each scenario.</summary>
    public static string Prompt(Scenario scenario) => scenario switch
    {
        Scenario.Tools => "What is the weather in Paris?",
        Scenario.Image => "What is in this image?",
        Scenario.Reasoning => "What is 6 times 7?",
        _ => "Say hello.",
    };

    /// <summary>The final text the client gets for each scenario.</summary>
    public static string Answer(Scenario scenario) => scenario switch
    {
        Scenario.Tools => AfterTool,
        Scenario.Image => ImageAnswer,
        Scenario.Reasoning => AfterThought,
        _ => Hello,
    };
}
