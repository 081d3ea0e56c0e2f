using System.Text;

namespace Switchyard.Dialects.Tests;

public sealed class RelayedTextTests
{
    [Theory]
    [InlineData("content")]
    [InlineData("text")]
    [InlineData("reasoning_content")]
    [InlineData("reasoning")]
    [InlineData("arguments")]
    [InlineData("partial_json")]
    [InlineData("thinking")]
    [InlineData("refusal")]
    [InlineData("delta")]
    public void Counts_the_text_of_every_text_bearing_property(string name)
    {
        Assert.Equal(4, Count($$$"""{"choices":[{"x":{"{{{name}}}":"abcd"}}]}"""));
    }

    [Theory]
    [InlineData("con\\u0074ent")]
    [InlineData("\\u0074ext")]
    [InlineData("partial\\u005fjson")]
    public void Counts_a_text_property_whose_name_is_escaped(string escapedName)
    {
        Assert.Equal(4, Count($$$"""{"x":{"{{{escapedName}}}":"abcd"}}"""));
    }

    [Theory]
    [InlineData("contents")]
    [InlineData("Content")]
    [InlineData("txt")]
    [InlineData("thinkin")]
    [InlineData("reasoning_contents")]
    [InlineData("partial_jsom")]
    [InlineData("arguments_")]
    public void Does_not_count_other_properties_of_the_same_or_near_length(string name)
    {
        Assert.Equal(0, Count($$$"""{"x":{"{{{name}}}":"abcd"}}"""));
    }

    private static long Count(string json) => RelayedText.Count(Encoding.UTF8.GetBytes(json));
}
