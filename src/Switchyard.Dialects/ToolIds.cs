namespace Switchyard.Dialects;

/// <summary>Tool-call ids that every dialect accepts, derived deterministically so a call and its result stay paired.</summary>
public static class ToolIds
{
    /// <summary>Anthropic requires ids matching <c>^[a-zA-Z0-9_-]+$</c>; other characters become '_'.</summary>
    public static string Sanitize(string id)
    {
        if (id.Length == 0)
        {
            return "toolu_empty";
        }

        foreach (var c in id)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_' && c != '-')
            {
                return string.Create(id.Length, id, static (span, source) =>
                {
                    for (var i = 0; i < source.Length; i++)
                    {
                        var c = source[i];
                        span[i] = char.IsAsciiLetterOrDigit(c) || c == '_' || c == '-' ? c : '_';
                    }
                });
            }
        }

        return id;
    }
}
