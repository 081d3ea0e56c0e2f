namespace Switchyard.Dialects.OpenAI;

/// <summary>
/// OpenAI's routes answer under <c>/v1</c> and again under Gemini's OpenAI-compatible
/// <c>/v1beta/openai</c>, where Google's clients may send the key as <c>?key=</c>.
/// </summary>
internal static class OpenAIRoutes
{
    public static IReadOnlyList<ClientRoute> Under(params ClientRoute[] routes) =>
    [
        .. routes.Select(route => route with { Pattern = "/v1" + route.Pattern }),
        .. routes.Select(route => route with { Pattern = "/v1beta/openai" + route.Pattern, AllowsQueryKey = true }),
    ];
}
