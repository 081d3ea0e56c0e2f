using System.Text;

namespace Switchyard.Diagnostics.Prometheus;

/// <summary>
/// OpenTelemetry names in the Prometheus text format's grammar, as the OpenTelemetry
/// Prometheus-compatibility rules spell them: characters outside <c>[a-zA-Z0-9_:]</c> become
/// <c>_</c> (so <c>gen_ai.client.token.usage</c> is <c>gen_ai_client_token_usage</c>), the unit
/// becomes a suffix (<c>s</c> → <c>_seconds</c>; annotations such as <c>{token}</c> are dropped),
/// and counters end in <c>_total</c>.
/// </summary>
internal static class PrometheusNames
{
    public static string Metric(string name, string? unit, MetricKind kind)
    {
        var result = Sanitize(name, allowColon: true);
        if (UnitSuffix(unit, kind) is { } suffix && !result.EndsWith("_" + suffix, StringComparison.Ordinal))
        {
            result += "_" + suffix;
        }

        if (kind == MetricKind.Counter && !result.EndsWith("_total", StringComparison.Ordinal))
        {
            result += "_total";
        }

        return result;
    }

    /// <summary>A label name: <c>[a-zA-Z_][a-zA-Z0-9_]*</c>, never starting with the reserved <c>__</c>.</summary>
    public static string Label(string name) => Sanitize(name, allowColon: false);

    private static string? UnitSuffix(string? unit, MetricKind kind)
    {
        if (string.IsNullOrEmpty(unit))
        {
            return null;
        }

        // UCUM annotations in braces carry no unit: "{token}", "{request}".
        var plain = new StringBuilder(unit.Length);
        var depth = 0;
        foreach (var c in unit)
        {
            if (c == '{')
            {
                depth++;
            }
            else if (c == '}')
            {
                depth = Math.Max(0, depth - 1);
            }
            else if (depth == 0)
            {
                plain.Append(c);
            }
        }

        var text = plain.ToString();
        return text switch
        {
            "" => null,
            "s" => "seconds",
            "ms" => "milliseconds",
            "us" => "microseconds",
            "ns" => "nanoseconds",
            "min" => "minutes",
            "h" => "hours",
            "d" => "days",
            "By" => "bytes",
            "KiBy" => "kibibytes",
            "MiBy" => "mebibytes",
            "GiBy" => "gibibytes",
            "%" => "percent",
            "1" => kind is MetricKind.Gauge or MetricKind.UpDownCounter ? "ratio" : null,
            _ when text.Contains('/', StringComparison.Ordinal) => Sanitize(text.Replace("/", "_per_", StringComparison.Ordinal), allowColon: false),
            _ => Sanitize(text, allowColon: false),
        };
    }

    private static string Sanitize(string name, bool allowColon)
    {
        var builder = new StringBuilder(name.Length + 1);
        foreach (var c in name)
        {
            var valid = char.IsAsciiLetterOrDigit(c) || c == '_' || (allowColon && c == ':');
            var next = valid ? c : '_';
            if (next == '_' && builder.Length > 0 && builder[^1] == '_')
            {
                continue;
            }

            builder.Append(next);
        }

        if (builder.Length == 0 || char.IsAsciiDigit(builder[0]))
        {
            builder.Insert(0, '_');
        }

        // "__" starts the names Prometheus reserves; collapsing runs above leaves at most one.
        return builder.ToString();
    }
}
