namespace Switchyard.Tests.Infrastructure;

/// <summary>The exposition parser is only worth its checks if it rejects what breaks the format.</summary>
public sealed class ExpositionTests
{
    private const string Valid = """
        # HELP a_total A counter.
        # TYPE a_total counter
        a_total{x="1"} 3
        # HELP h_seconds A histogram.
        # TYPE h_seconds histogram
        h_seconds_bucket{le="0.5"} 1
        h_seconds_bucket{le="+Inf"} 2
        h_seconds_sum 0.7
        h_seconds_count 2

        """;

    [Fact]
    public void Accepts_a_well_formed_exposition()
    {
        var exposition = Exposition.Parse(Valid.Replace("\r", "", StringComparison.Ordinal));

        Assert.Equal(3, exposition.Sum("a_total", ("x", "1")));
        Assert.Equal(2, exposition.Sum("h_seconds_count"));
    }

    [Theory]
    [InlineData("a_total 1\n", "no TYPE")]
    [InlineData("# TYPE a_total counter\na_total 1\n# HELP a_total late\n", "after the family's samples")]
    [InlineData("# TYPE a_total counter\n# TYPE a_total counter\n", "a second TYPE")]
    [InlineData("# TYPE a_total nonsense\n", "TYPE must be")]
    [InlineData("# TYPE a counter\na 1\n", "ends in _total")]
    [InlineData("# TYPE a_total counter\na_total -1\n", "never negative")]
    [InlineData("# TYPE a_total counter\na_total{x=\"1\"} 1\na_total{x=\"1\"} 2\n", "duplicate series")]
    [InlineData("# TYPE a_total counter\n# TYPE b gauge\nb 1\na_total 1\n", "appears again")]
    [InlineData("# TYPE g gauge\ng{1x=\"a\"} 1\n", "invalid label name")]
    [InlineData("# TYPE g gauge\ng{__x=\"a\"} 1\n", "reserved")]
    [InlineData("# TYPE g gauge\ng{x=\"a\\t\"} 1\n", "invalid escape")]
    [InlineData("# TYPE g gauge\ng{x=\"a} 1\n", "unterminated")]
    [InlineData("# TYPE g gauge\ng{x=\"a\",x=\"b\"} 1\n", "repeated label")]
    [InlineData("# TYPE g gauge\ng one\n", "not a float")]
    [InlineData("# TYPE g gauge\ng  1\n", "value and an optional timestamp")]
    [InlineData("# TYPE g gauge\ng 1", "end with a line feed")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 2\nh_bucket{le=\"2\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 2\n", "must not fall")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"2\"} 1\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 2\n", "increasing le")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_sum 1\nh_count 1\n", "+Inf")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n", "_count must equal")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"+Inf\"} 2\nh_count 2\n", "no _sum")]
    [InlineData("# TYPE h histogram\nh_bucket{le=\"x\"} 2\nh_sum 1\nh_count 2\n", "le is not a number")]
    [InlineData("# TYPE h histogram\nh 2\n", "no TYPE")]
    public void Rejects_what_breaks_the_format(string text, string why)
    {
        var exception = Assert.Throws<FormatException>(() => Exposition.Parse(text));

        Assert.Contains(why, exception.Message, StringComparison.Ordinal);
    }
}
