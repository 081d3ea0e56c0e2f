using System.Globalization;

namespace StreamBench;

/// <summary>Collects samples (thread-safe) and reports percentiles.</summary>
public sealed class Percentiles
{
    private readonly List<double> _values = [];

    public void Add(double value)
    {
        lock (_values)
        {
            _values.Add(value);
        }
    }

    public int Count
    {
        get
        {
            lock (_values)
            {
                return _values.Count;
            }
        }
    }

    public double At(double quantile)
    {
        lock (_values)
        {
            if (_values.Count == 0)
            {
                return double.NaN;
            }

            _values.Sort();
            var index = (int)Math.Ceiling(quantile * _values.Count) - 1;
            return _values[Math.Clamp(index, 0, _values.Count - 1)];
        }
    }

    public double Max => At(1.0);

    public string Summary(string prefix) => string.Create(CultureInfo.InvariantCulture,
        $"{prefix}_n={Count} {prefix}_p50={At(0.5):0.###} {prefix}_p99={At(0.99):0.###} {prefix}_max={Max:0.###}");
}
