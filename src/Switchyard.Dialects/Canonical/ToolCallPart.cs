namespace Switchyard.Dialects.Canonical;

/// <summary>
/// The model asks for a tool call. <see cref="ArgumentsJson"/> is the raw JSON text of the arguments;
/// for a free-form tool it is <c>{"input": text}</c> and <see cref="FreeFormInput"/> is the text itself.
/// </summary>
public sealed record ToolCallPart(string Id, string Name, string ArgumentsJson) : ContentPart
{
    /// <summary>The namespace of the called tool (<see cref="ToolDefinition.Namespace"/>).</summary>
    public string? Namespace { get; init; }

    /// <summary>The call's free-form input, when the tool is free-form (<see cref="ToolDefinition.FreeForm"/>).</summary>
    public string? FreeFormInput { get; init; }

    /// <summary>A call of a free-form tool with <paramref name="input"/>, its arguments as the one-string function form.</summary>
    public static ToolCallPart FreeForm(string id, string name, string input) =>
        new(id, name, FreeFormArguments(input)) { FreeFormInput = input };

    /// <summary><c>{"input": text}</c>: a free-form input as the arguments of the function that stands in for the tool.</summary>
    public static string FreeFormArguments(string input) =>
        "{\"" + Canonical.FreeFormInput.ArgumentName + "\":" + System.Text.Json.JsonSerializer.Serialize(input, DialectsJsonContext.Default.String) + "}";

    /// <summary>The text of <c>{"input": text}</c> arguments; the raw text when they are not of that form.</summary>
    public static string FreeFormInputOf(string argumentsJson)
    {
        try
        {
            using var document = System.Text.Json.JsonDocument.Parse(argumentsJson);
            if (document.RootElement.ValueKind == System.Text.Json.JsonValueKind.Object
                && document.RootElement.TryGetProperty(Canonical.FreeFormInput.ArgumentName, out var input)
                && input.ValueKind == System.Text.Json.JsonValueKind.String)
            {
                return input.GetString()!;
            }
        }
        catch (System.Text.Json.JsonException)
        {
            // Not JSON: the model wrote the input bare.
        }

        return argumentsJson;
    }
}
