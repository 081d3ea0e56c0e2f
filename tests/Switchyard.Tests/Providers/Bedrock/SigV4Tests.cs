using System.Text;
using Switchyard.Providers.Bedrock;

namespace Switchyard.Tests.Providers.Bedrock;

/// <summary>AWS's Signature Version 4 test suite (credentials AKIDEXAMPLE, service "service", us-east-1, 2015-08-30T12:36:00Z).</summary>
public sealed class SigV4Tests
{
    private const string Host = "example.amazonaws.com";
    private const string Date = "20150830T123600Z";
    private const string Credential = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, ";

    private const string SessionToken =
        "AQoDYXdzEPT//////////wEXAMPLEtc764bNrC9SAPBSM22wDOk4x4HIZ8j4FZTwdQWLWsKWHGBuFqwAeMicRXmxfpSPfIeoIYRqTflfKD8YUuwthAx7mSEI/qkPpKPi/kMcGdQrmGdeehM4IC1NtBmUpp2wUE8phUZampKsburEDy0KPkyQDYwT7WZ0wq5VSXDvp75YU9HFvlRd8Tx6q6fE8YQcHNVXAkiY9q6d+xo0rKwT38xVqr7ZD0u0iPPkUL64lIZbqBAz+scqKmlzm8FDrypNC9Yjc8fPOLn9FX9KSYvKTr4rvx3iSIlTJabIQwj2ICCR/oLxBA==";

    private static readonly SigV4Scope Scope = new("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "us-east-1", "service", new DateTimeOffset(2015, 8, 30, 12, 36, 0, TimeSpan.Zero));

    /// <summary>name, method, path as on the request line, query as on the request line, extra headers (name:value|…), body, expected SignedHeaders and Signature.</summary>
    public static TheoryData<string, string, string, string, string, string, string, string> Vectors => new()
    {
        { "get-vanilla", "GET", "/", "", "", "", "host;x-amz-date", "5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31" },
        { "get-unreserved", "GET", "/-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz", "", "", "", "host;x-amz-date", "07ef7494c76fa4850883e2b006601f940f8a34d404d0cfa977f52a65bbf5f24f" },
        { "get-utf8", "GET", "/ሴ", "", "", "", "host;x-amz-date", "8318018e0b0f223aa2bbf98705b62bb787dc9c0e678f255a891fd03141be5d85" },
        { "get-vanilla-empty-query-key", "GET", "/", "Param1=value1", "", "", "host;x-amz-date", "a67d582fa61cc504c4bae71f336f98b97f1ea3c7a6bfe1b6e45aec72011b9aeb" },
        { "get-vanilla-query-order-key-case", "GET", "/", "Param2=value2&Param1=value1", "", "", "host;x-amz-date", "b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500" },
        {
            "get-vanilla-query-unreserved", "GET", "/",
            "-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz=-._~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz",
            "", "", "host;x-amz-date", "9c3e54bfcdf0b19771a7f523ee5669cdf59bc7cc0884027167c21bb143a40197"
        },
        { "get-vanilla-utf8-query", "GET", "/", "%E1%88%B4=bar", "", "", "host;x-amz-date", "2cdec8eed098649ff3a119c94853b13c643bcf08f8b0a1d91e12c9027818dd04" },
        { "get-header-key-duplicate", "GET", "/", "", "My-Header1:value2|My-Header1:value2|My-Header1:value1", "", "host;my-header1;x-amz-date", "c9d5ea9f3f72853aea855b47ea873832890dbdd183b4468f858259531a5138ea" },
        { "get-header-value-order", "GET", "/", "", "My-Header1:value4|My-Header1:value1|My-Header1:value3|My-Header1:value2", "", "host;my-header1;x-amz-date", "08c7e5a9acfcfeb3ab6b2185e75ce8b1deb5e634ec47601a50643f830c755c01" },
        { "get-header-value-trim", "GET", "/", "", "My-Header1: value1|My-Header2: \"a   b   c\"", "", "host;my-header1;my-header2;x-amz-date", "acc3ed3afb60bb290fc8d2dd0098b9911fcaa05412b367055dee359757a9c736" },
        { "post-vanilla", "POST", "/", "", "", "", "host;x-amz-date", "5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b" },
        { "post-vanilla-query", "POST", "/", "Param1=value1", "", "", "host;x-amz-date", "28038455d6de14eafc1f9222cf5aa6f1a96197d7deb8263271d420d138af7f11" },
        { "post-header-key-sort", "POST", "/", "", "My-Header1:value1", "", "host;my-header1;x-amz-date", "c5410059b04c1ee005303aed430f6e6645f61f4dc9e1461ec8f8916fdf18852c" },
        { "post-header-value-case", "POST", "/", "", "My-Header1:VALUE1", "", "host;my-header1;x-amz-date", "cdbc9802e29d2942e5e10b5bccfdd67c5f22c7c4e8ae67b53629efa58b974b7d" },
        { "post-x-www-form-urlencoded", "POST", "/", "", "Content-Type:application/x-www-form-urlencoded", "Param1=value1", "content-type;host;x-amz-date", "ff11897932ad3f4e8b18135d722051e5ac45fc38421b1da7b9d196a0fe09473a" },
        { "post-x-www-form-urlencoded-parameters", "POST", "/", "", "Content-Type:application/x-www-form-urlencoded; charset=utf8", "Param1=value1", "content-type;host;x-amz-date", "1a72ec8f64bd914b0e42e42607c7fbce7fb2c7465f63e3092b3b0d39fa77a6fe" },
        { "post-sts-header-before", "POST", "/", "", "X-Amz-Security-Token:" + SessionToken, "", "host;x-amz-date;x-amz-security-token", "85d96828115b5dc0cfc3bd16ad9e210dd772bbebba041836c64533a82be05ead" },
    };

    [Theory]
    [MemberData(nameof(Vectors))]
    public void Matches_the_aws_test_suite(string name, string method, string path, string query, string extraHeaders, string body, string signedHeaders, string signature)
    {
        var headers = new List<KeyValuePair<string, string>> { KeyValuePair.Create("Host", Host), KeyValuePair.Create("X-Amz-Date", Date) };
        foreach (var header in extraHeaders.Split('|', StringSplitOptions.RemoveEmptyEntries))
        {
            var colon = header.IndexOf(':', StringComparison.Ordinal);
            headers.Add(KeyValuePair.Create(header[..colon], header[(colon + 1)..]));
        }

        var result = SigV4.Sign(method, path, query, headers, SigV4.PayloadHash(Encoding.UTF8.GetBytes(body)), Scope);

        Assert.True(
            result.Authorization == $"{Credential}SignedHeaders={signedHeaders}, Signature={signature}",
            $"{name}: got {result.Authorization}\n--- canonical request ---\n{result.CanonicalRequest}");
    }

    [Fact]
    public void Builds_the_published_canonical_request_and_string_to_sign_for_get_vanilla()
    {
        var result = SigV4.Sign("GET", "/", "", [KeyValuePair.Create("Host", Host), KeyValuePair.Create("X-Amz-Date", Date)], SigV4.EmptyPayloadHash, Scope);

        Assert.Equal($"GET\n/\n\nhost:{Host}\nx-amz-date:{Date}\n\nhost;x-amz-date\n{SigV4.EmptyPayloadHash}", result.CanonicalRequest);
        Assert.Equal(
            "AWS4-HMAC-SHA256\n20150830T123600Z\n20150830/us-east-1/service/aws4_request\nbb579772317eb040ac9ed261061d46c1f17a8133879d6129b6e1c25292927e63",
            result.StringToSign);
    }

    [Theory]
    [InlineData("/model/anthropic.claude-3-5-sonnet-20240620-v1%3A0/converse", "/model/anthropic.claude-3-5-sonnet-20240620-v1%253A0/converse")]
    [InlineData(
        "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-sonnet-4-5-20250929-v1%3A0/converse-stream",
        "/model/arn%253Aaws%253Abedrock%253Aus-east-1%253A123456789012%253Ainference-profile%252Fus.anthropic.claude-sonnet-4-5-20250929-v1%253A0/converse-stream")]
    public void Signs_an_escaped_model_id_encoded_once_more_as_aws_services_other_than_s3_expect(string wirePath, string canonical)
    {
        Assert.Equal(canonical, SigV4.CanonicalUri(wirePath));
    }

    [Fact]
    public void Keeps_escaped_colons_and_slashes_of_a_model_id_in_the_uri_it_sends()
    {
        var uri = new Uri("https://bedrock-runtime.us-east-1.amazonaws.com/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Ainference-profile%2Fus.x-v1%3A0/converse");

        Assert.Equal("/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A1%3Ainference-profile%2Fus.x-v1%3A0/converse", uri.AbsolutePath);
    }

    [Fact]
    public void Redacts_the_secret_from_the_scope_s_text()
    {
        Assert.DoesNotContain(Scope.SecretAccessKey, Scope.ToString(), StringComparison.Ordinal);
    }
}
