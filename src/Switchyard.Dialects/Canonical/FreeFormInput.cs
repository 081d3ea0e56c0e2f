namespace Switchyard.Dialects.Canonical;

/// <summary>How a free-form tool's input is constrained: not at all, or by a grammar.</summary>
public sealed record FreeFormInput
{
    /// <summary>The one string argument a free-form tool takes where a dialect has only JSON functions.</summary>
    public const string ArgumentName = "input";

    /// <summary>The grammar's syntax (<c>lark</c> or <c>regex</c>); null for unconstrained text.</summary>
    public string? GrammarSyntax { get; init; }

    public string? Grammar { get; init; }

    public static FreeFormInput Text { get; } = new();
}
