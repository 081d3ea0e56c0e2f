using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Switchyard.Tests.Infrastructure;

/// <summary>
/// A strict parser of the Prometheus text exposition format 0.0.4, for checking what
/// <c>GET /metrics</c> serves: the metric and label grammar, escapes, HELP/TYPE before a
/// family's samples, families never interleaved, no duplicate series, counters ending in
/// <c>_total</c> and never negative, and histograms whose cumulative buckets rise with
/// <c>le</c>, end at <c>+Inf</c>, and agree with <c>_count</c>. Any breach throws
/// <see cref="FormatException"/> naming the line.
/// </summary>
public sealed partial class Exposition
{
    private static readonly string[] Types = ["counter", "gauge", "histogram", "summary", "untyped"];

    private Exposition(Dictionary<string, string> types, Dictionary<string, string> help, List<ExpositionSample> samples)
    {
        TypesByFamily = types;
        HelpByFamily = help;
        Samples = samples;
    }

    public IReadOnlyDictionary<string, string> TypesByFamily { get; }

    public IReadOnlyDictionary<string, string> HelpByFamily { get; }

    public IReadOnlyList<ExpositionSample> Samples { get; }

    /// <summary>The sum of the values of the samples named <paramref name="name"/> that carry these labels (0 when none).</summary>
    public double Sum(string name, params (string Name, string Value)[] labels) =>
        Samples.Where(s => s.Name == name && s.Has(labels)).Sum(s => s.Value);

    public IEnumerable<ExpositionSample> Find(string name, params (string Name, string Value)[] labels) =>
        Samples.Where(s => s.Name == name && s.Has(labels));

    public static Exposition Parse(string text)
    {
        if (text.Length > 0 && !text.EndsWith('\n'))
        {
            throw new FormatException("The exposition must end with a line feed.");
        }

        if (text.Contains('\r', StringComparison.Ordinal))
        {
            throw new FormatException("Lines end in \\n only.");
        }

        var types = new Dictionary<string, string>(StringComparer.Ordinal);
        var help = new Dictionary<string, string>(StringComparer.Ordinal);
        var samples = new List<ExpositionSample>();
        var seenSeries = new HashSet<string>(StringComparer.Ordinal);
        var finished = new HashSet<string>(StringComparer.Ordinal);
        var familiesWithSamples = new HashSet<string>(StringComparer.Ordinal);
        string? current = null;
        var lines = text.Split('\n');
        for (var number = 1; number <= lines.Length - 1; number++)
        {
            var line = lines[number - 1];
            void Fail(string why) => throw new FormatException($"line {number}: {why}: {line}");

            if (line.Length == 0)
            {
                continue;
            }

            string family;
            if (line.StartsWith('#'))
            {
                var parts = line.Split(' ', 4);
                if (parts.Length < 3 || parts[0] != "#" || parts[1] is not ("HELP" or "TYPE"))
                {
                    // Any other comment is allowed and carries nothing.
                    continue;
                }

                family = parts[2];
                if (MetricName().Match(family) is not { Success: true, Index: 0 } match || match.Length != family.Length)
                {
                    Fail("invalid metric name");
                }

                if (familiesWithSamples.Contains(family))
                {
                    Fail($"{parts[1]} after the family's samples");
                }

                if (parts[1] == "HELP")
                {
                    if (!help.TryAdd(family, Unescape(parts.Length > 3 ? parts[3] : string.Empty, quotes: false, Fail)))
                    {
                        Fail("a second HELP");
                    }
                }
                else
                {
                    if (parts.Length != 4 || !Types.Contains(parts[3]))
                    {
                        Fail("TYPE must be one of " + string.Join(", ", Types));
                    }

                    if (!types.TryAdd(family, parts[3]))
                    {
                        Fail("a second TYPE");
                    }
                }

                SwitchTo(family);
                continue;
            }

            var sample = ParseSample(line, Fail);
            family = FamilyOf(sample.Name, types) ?? throw new FormatException($"line {number}: no TYPE for {sample.Name}: {line}");
            SwitchTo(family);
            familiesWithSamples.Add(family);
            var key = sample.Name + "{" + string.Join(",", sample.Labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value)) + "}";
            if (!seenSeries.Add(key))
            {
                Fail("a duplicate series");
            }

            if (types[family] == "counter")
            {
                if (!sample.Name.EndsWith("_total", StringComparison.Ordinal))
                {
                    Fail("a counter's name ends in _total");
                }

                if (sample.Value < 0 || double.IsNaN(sample.Value))
                {
                    Fail("a counter is never negative");
                }
            }

            samples.Add(sample);

            void SwitchTo(string next)
            {
                if (current == next)
                {
                    return;
                }

                if (finished.Contains(next))
                {
                    throw new FormatException($"line {number}: the family {next} appears again after another family: {line}");
                }

                if (current is not null)
                {
                    finished.Add(current);
                }

                current = next;
            }
        }

        foreach (var (family, type) in types)
        {
            if (type == "histogram")
            {
                CheckHistogram(family, samples);
            }
        }

        return new Exposition(types, help, samples);
    }

    private static string? FamilyOf(string sample, Dictionary<string, string> types)
    {
        if (types.ContainsKey(sample))
        {
            return types[sample] == "histogram" ? null : sample;
        }

        foreach (var suffix in new[] { "_bucket", "_sum", "_count" })
        {
            if (sample.EndsWith(suffix, StringComparison.Ordinal)
                && types.TryGetValue(sample[..^suffix.Length], out var type) && type is "histogram" or "summary")
            {
                return sample[..^suffix.Length];
            }
        }

        return null;
    }

    private static void CheckHistogram(string family, List<ExpositionSample> samples)
    {
        static string Series(ExpositionSample sample) =>
            string.Join(",", sample.Labels.Where(l => l.Key != "le").OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => l.Key + "=" + l.Value));

        var buckets = samples.Where(s => s.Name == family + "_bucket").GroupBy(Series).ToList();
        var counts = samples.Where(s => s.Name == family + "_count").ToDictionary(Series);
        var sums = samples.Where(s => s.Name == family + "_sum").ToDictionary(Series);
        foreach (var series in buckets)
        {
            var previousBound = double.NegativeInfinity;
            var previousCount = 0.0;
            foreach (var bucket in series)
            {
                if (!bucket.Labels.TryGetValue("le", out var le))
                {
                    throw new FormatException($"{family}: a bucket without le: {bucket}");
                }

                var bound = ParseValue(le) ?? throw new FormatException($"{family}: le is not a number: {bucket}");
                if (bound <= previousBound)
                {
                    throw new FormatException($"{family}: buckets must come in increasing le: {bucket}");
                }

                if (bucket.Value < previousCount)
                {
                    throw new FormatException($"{family}: cumulative bucket counts must not fall: {bucket}");
                }

                previousBound = bound;
                previousCount = bucket.Value;
            }

            if (!double.IsPositiveInfinity(previousBound))
            {
                throw new FormatException($"{family}{{{series.Key}}}: the last bucket must be le=\"+Inf\"");
            }

            if (!counts.TryGetValue(series.Key, out var count) || count.Value != previousCount)
            {
                throw new FormatException($"{family}{{{series.Key}}}: _count must equal the +Inf bucket ({previousCount})");
            }

            if (!sums.ContainsKey(series.Key))
            {
                throw new FormatException($"{family}{{{series.Key}}}: no _sum");
            }
        }

        if (counts.Keys.Except(buckets.Select(b => b.Key)).FirstOrDefault() is { } orphan)
        {
            throw new FormatException($"{family}{{{orphan}}}: _count without buckets");
        }
    }

    private static ExpositionSample ParseSample(string line, Action<string> fail)
    {
        var name = MetricName().Match(line);
        if (!name.Success || name.Index != 0)
        {
            fail("invalid metric name");
        }

        var position = name.Length;
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        if (position < line.Length && line[position] == '{')
        {
            position++;
            while (position < line.Length && line[position] != '}')
            {
                var label = LabelName().Match(line, position);
                if (!label.Success || label.Index != position)
                {
                    fail("invalid label name");
                }

                if (label.Value.StartsWith("__", StringComparison.Ordinal))
                {
                    fail("label names starting with __ are reserved");
                }

                position += label.Length;
                if (position + 1 >= line.Length || line[position] != '=' || line[position + 1] != '"')
                {
                    fail("a label is name=\"value\"");
                }

                position += 2;
                var raw = new StringBuilder();
                while (true)
                {
                    if (position >= line.Length)
                    {
                        fail("an unterminated label value");
                    }

                    var c = line[position];
                    if (c == '"')
                    {
                        break;
                    }

                    if (c == '\\')
                    {
                        if (position + 1 >= line.Length)
                        {
                            fail("a dangling escape");
                        }

                        raw.Append(c).Append(line[position + 1]);
                        position += 2;
                        continue;
                    }

                    raw.Append(c);
                    position++;
                }

                position++;
                if (!labels.TryAdd(label.Value, Unescape(raw.ToString(), quotes: true, fail)))
                {
                    fail("a repeated label name");
                }

                if (position < line.Length && line[position] == ',')
                {
                    position++;
                }
                else if (position >= line.Length || line[position] != '}')
                {
                    fail("labels are separated by commas");
                }
            }

            if (position >= line.Length)
            {
                fail("an unterminated label set");
            }

            position++;
        }

        if (position >= line.Length || line[position] != ' ')
        {
            fail("a single space before the value");
        }

        var rest = line[(position + 1)..].Split(' ');
        if (rest.Length is < 1 or > 2 || rest.Any(r => r.Length == 0))
        {
            fail("a value and an optional timestamp");
        }

        var value = ParseValue(rest[0]);
        if (value is null)
        {
            fail("the value is not a float");
        }

        if (rest.Length == 2 && !long.TryParse(rest[1], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _))
        {
            fail("the timestamp is not an integer");
        }

        return new ExpositionSample(name.Value, labels, value!.Value);
    }

    /// <summary>Go's ParseFloat, as Prometheus reads values: decimal or exponent, or Inf/NaN spelled its way.</summary>
    private static double? ParseValue(string text) => text switch
    {
        "+Inf" or "Inf" => double.PositiveInfinity,
        "-Inf" => double.NegativeInfinity,
        "NaN" => double.NaN,
        _ when FloatLiteral().IsMatch(text) => double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture),
        _ => null,
    };

    private static string Unescape(string text, bool quotes, Action<string> fail)
    {
        var result = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] != '\\')
            {
                if (text[i] == '\n')
                {
                    fail("a raw line feed");
                }

                result.Append(text[i]);
                continue;
            }

            var next = i + 1 < text.Length ? text[i + 1] : '\0';
            switch (next)
            {
                case '\\':
                    result.Append('\\');
                    break;
                case 'n':
                    result.Append('\n');
                    break;
                case '"' when quotes:
                    result.Append('"');
                    break;
                default:
                    fail($"an invalid escape \\{next}");
                    break;
            }

            i++;
        }

        return result.ToString();
    }

    [GeneratedRegex("[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex MetricName();

    [GeneratedRegex("[a-zA-Z_][a-zA-Z0-9_]*")]
    private static partial Regex LabelName();

    [GeneratedRegex(@"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$")]
    private static partial Regex FloatLiteral();
}
