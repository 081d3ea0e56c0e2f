using System.Globalization;
using System.Text;

namespace Switchyard.Diagnostics.Prometheus;

/// <summary>
/// The Prometheus text exposition format, version 0.0.4: per metric a <c># HELP</c> and a
/// <c># TYPE</c> line, then its samples together; histograms as cumulative <c>_bucket</c>
/// samples with <c>le</c> up to <c>+Inf</c>, then <c>_sum</c> and <c>_count</c>. Label values
/// escape <c>\</c>, <c>"</c> and newlines; HELP text escapes <c>\</c> and newlines.
/// </summary>
internal static class PrometheusTextWriter
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static void Write(StringBuilder output, IEnumerable<MetricFamily> families)
    {
        foreach (var family in families.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            var series = family.Snapshot();
            if (series.Count == 0)
            {
                continue;
            }

            series.Sort(static (a, b) => string.CompareOrdinal(LabelKey(a), LabelKey(b)));
            output.Append("# HELP ").Append(family.Name).Append(' ');
            AppendEscaped(output, family.Help, escapeQuotes: false);
            output.Append('\n');
            output.Append("# TYPE ").Append(family.Name).Append(' ').Append(TypeName(family.Kind)).Append('\n');
            foreach (var one in series)
            {
                if (family.Kind == MetricKind.Histogram)
                {
                    WriteHistogram(output, family, one);
                }
                else
                {
                    WriteSample(output, family.Name, one.Labels, null, one.Value);
                }
            }
        }
    }

    private static void WriteHistogram(StringBuilder output, MetricFamily family, MetricSeries series)
    {
        // Cumulative counts from a single read of each bucket, so +Inf always equals _count.
        long cumulative = 0;
        for (var i = 0; i < family.Bounds.Length; i++)
        {
            cumulative += series.BucketCount(i);
            WriteSample(output, family.Name + "_bucket", series.Labels, Format(family.Bounds[i]), cumulative);
        }

        cumulative += series.BucketCount(family.Bounds.Length);
        WriteSample(output, family.Name + "_bucket", series.Labels, "+Inf", cumulative);
        WriteSample(output, family.Name + "_sum", series.Labels, null, series.Sum);
        WriteSample(output, family.Name + "_count", series.Labels, null, cumulative);
    }

    private static void WriteSample(StringBuilder output, string name, IReadOnlyList<KeyValuePair<string, string>> labels, string? le, double value)
    {
        output.Append(name);
        if (labels.Count > 0 || le is not null)
        {
            output.Append('{');
            var first = true;
            foreach (var (label, text) in labels)
            {
                if (!first)
                {
                    output.Append(',');
                }

                first = false;
                output.Append(label).Append("=\"");
                AppendEscaped(output, text, escapeQuotes: true);
                output.Append('"');
            }

            if (le is not null)
            {
                output.Append(first ? string.Empty : ",").Append("le=\"").Append(le).Append('"');
            }

            output.Append('}');
        }

        output.Append(' ').Append(Format(value)).Append('\n');
    }

    private static string TypeName(MetricKind kind) => kind switch
    {
        MetricKind.Counter => "counter",
        MetricKind.Histogram => "histogram",
        _ => "gauge",
    };

    /// <summary>Go's float syntax, which Prometheus parses: <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>, else the shortest round-trip form.</summary>
    private static string Format(double value) => value switch
    {
        double.PositiveInfinity => "+Inf",
        double.NegativeInfinity => "-Inf",
        _ when double.IsNaN(value) => "NaN",
        _ => value.ToString("R", CultureInfo.InvariantCulture),
    };

    private static void AppendEscaped(StringBuilder output, string text, bool escapeQuotes)
    {
        foreach (var c in text)
        {
            switch (c)
            {
                case '\\':
                    output.Append("\\\\");
                    break;
                case '\n':
                    output.Append("\\n");
                    break;
                case '"' when escapeQuotes:
                    output.Append("\\\"");
                    break;
                default:
                    output.Append(c);
                    break;
            }
        }
    }

    private static string LabelKey(MetricSeries series) =>
        string.Join('\u0001', series.Labels.Select(l => l.Key + "\u0002" + l.Value));
}
