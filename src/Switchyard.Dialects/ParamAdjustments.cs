using System.Globalization;
using System.Text;

namespace Switchyard.Dialects;

/// <summary>
/// Parameters the gateway clamped or dropped on the way to the upstream, reported to the
/// client in <c>X-Param-Adjustments</c>. With <c>strict_params</c> any adjustment is a 400 instead.
/// </summary>
public sealed class ParamAdjustments
{
    private List<string>? _entries;

    /// <summary>When set, the first adjustment throws a 400 naming the parameter.</summary>
    public bool Strict { get; set; }

    public bool IsEmpty => _entries is null || _entries.Count == 0;

    public IReadOnlyList<string> Entries => (IReadOnlyList<string>?)_entries ?? [];

    public void Clamped(string param, double from, double to)
    {
        if (Strict)
        {
            throw GatewayException.InvalidRequest(
                string.Create(CultureInfo.InvariantCulture, $"'{param}' is {from}, outside the range the model accepts (strict_params is set)."),
                param);
        }

        Add(string.Create(CultureInfo.InvariantCulture, $"{param}=clamped:{from}->{to}"));
    }

    public void Dropped(string param, string reason)
    {
        if (Strict)
        {
            throw GatewayException.InvalidRequest($"'{param}' is not supported here: {reason} (strict_params is set).", param);
        }

        Add($"{param}=dropped");
    }

    /// <summary>The header value: entries separated by <c>", "</c>.</summary>
    public override string ToString()
    {
        if (IsEmpty)
        {
            return string.Empty;
        }

        var builder = new StringBuilder();
        foreach (var entry in _entries!)
        {
            if (builder.Length > 0)
            {
                builder.Append(", ");
            }

            builder.Append(entry);
        }

        return builder.ToString();
    }

    // Each failover attempt writes the request again; an adjustment is reported once.
    private void Add(string entry)
    {
        _entries ??= [];
        if (!_entries.Contains(entry))
        {
            _entries.Add(entry);
        }
    }
}
