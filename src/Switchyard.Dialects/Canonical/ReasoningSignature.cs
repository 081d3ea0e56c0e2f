using System.Text;

namespace Switchyard.Dialects.Canonical;

/// <summary>
/// Opaque signatures for reasoning that did not come from Anthropic (docs/behaviour.md). Anthropic
/// clients require a signature on every thinking block and send it back on the next turn; a
/// Switchyard signature carries what the original provider needs (a Gemini thought signature,
/// or nothing for OpenAI-style reasoning text) and tells the gateway the block must not be sent
/// to Anthropic itself, which would reject a signature it did not issue.
/// </summary>
public static class ReasoningSignature
{
    private const string Prefix = "sy1.";

    /// <summary>
    /// The source name of a bare signature (one no dialect wrapped) when it travels through another
    /// dialect. Claude's thinking signatures are the bare ones (Anthropic's dialect keeps them as
    /// issued, so its own clients get them unchanged), hence the wire value, which clients already hold.
    /// </summary>
    public const string BareSource = "anthropic";

    /// <summary>Wraps <paramref name="original"/> (may be null) from <paramref name="source"/> (a dialect name).</summary>
    public static string Wrap(string source, string? original) =>
        Prefix + source + "." + Convert.ToBase64String(Encoding.UTF8.GetBytes(original ?? string.Empty));

    public static bool IsSwitchyard(string? signature) => signature?.StartsWith(Prefix, StringComparison.Ordinal) == true;

    /// <summary>Unwraps a Switchyard signature; false for a provider's own signature.</summary>
    public static bool TryUnwrap(string? signature, out string source, out string? original)
    {
        source = string.Empty;
        original = null;
        if (!IsSwitchyard(signature))
        {
            return false;
        }

        var rest = signature![Prefix.Length..];
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        if (dot < 0)
        {
            return false;
        }

        source = rest[..dot];
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(rest[(dot + 1)..]));
            original = decoded.Length == 0 ? null : decoded;
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
