namespace Switchyard.Catalog;

public enum ProviderType
{
    OpenAI,
    Anthropic,
    Gemini,
    Echo,
}
