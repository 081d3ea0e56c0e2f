using System.Text;
using Microsoft.Extensions.Configuration;
using Switchyard.Providers.Azure;
using Switchyard.Providers.Bedrock;
using Switchyard.Providers.Vertex;

namespace Switchyard.Tests.Providers;

/// <summary>The cloud providers' configuration names, as users write them, and every problem reported by path.</summary>
public sealed class CloudOptionsTests
{
    // The examples users copy (issue 18, docs/clouds.md), as providers[0..3].
    private const string Providers = """
        {"providers":[
          { "name": "az",  "type": "azure",   "baseUrl": "https://RESOURCE.openai.azure.com", "apiKey": "env:AZURE_OPENAI_KEY", "apiVersion": "2024-10-21" },
          { "name": "az2", "type": "azure",   "baseUrl": "https://RESOURCE.openai.azure.com", "auth": { "kind": "entra", "tenantId": "t", "clientId": "c", "clientSecret": "env:AZURE_CLIENT_SECRET" } },
          { "name": "aws", "type": "bedrock", "region": "us-east-1", "accessKeyId": "env:AWS_ACCESS_KEY_ID", "secretAccessKey": "env:AWS_SECRET_ACCESS_KEY", "sessionToken": "env:AWS_SESSION_TOKEN" },
          { "name": "vx",  "type": "vertex",  "project": "my-project", "location": "us-central1", "credentialsFile": "/etc/switchyard/sa.json" }
        ]}
        """;

    private static readonly Func<string, string?> Environment = name => name switch
    {
        "AZURE_OPENAI_KEY" => "k",
        "AZURE_CLIENT_SECRET" => "s",
        "AWS_ACCESS_KEY_ID" => "AKIA",
        "AWS_SECRET_ACCESS_KEY" => "secret",
        "AWS_SESSION_TOKEN" => "token",
        _ => null,
    };

    [Fact]
    public void Binds_each_cloud_s_fields_by_the_names_users_write()
    {
        var providers = Load(Providers).GetSection("providers");

        var az = AzureOptions.Bind(providers.GetSection("0"));
        var az2 = AzureOptions.Bind(providers.GetSection("1"));
        var aws = BedrockOptions.Bind(providers.GetSection("2"));
        var vx = VertexOptions.Bind(providers.GetSection("3"));

        Assert.Equal(("https://RESOURCE.openai.azure.com", "env:AZURE_OPENAI_KEY", "2024-10-21"), (az.BaseUrl, az.ApiKey, az.ApiVersion));
        Assert.Equal(("entra", "t", "c", "env:AZURE_CLIENT_SECRET"), (az2.Auth!.Kind, az2.Auth.TenantId, az2.Auth.ClientId, az2.Auth.ClientSecret));
        Assert.Equal(("us-east-1", "env:AWS_ACCESS_KEY_ID", "env:AWS_SECRET_ACCESS_KEY", "env:AWS_SESSION_TOKEN"), (aws.Region, aws.AccessKeyId, aws.SecretAccessKey, aws.SessionToken));
        Assert.Equal(("my-project", "us-central1", "/etc/switchyard/sa.json"), (vx.Project, vx.Location, vx.CredentialsFile));
        Assert.Equal("https://us-central1-aiplatform.googleapis.com", vx.EndpointUrl);
        Assert.Empty(AzureOptionsValidator.Validate(az, "providers[0]", Environment));
        Assert.Empty(AzureOptionsValidator.Validate(az2, "providers[1]", Environment));
        Assert.Empty(BedrockOptionsValidator.Validate(aws, "providers[2]", Environment));
    }

    [Fact]
    public void Reports_every_bedrock_problem_with_its_path()
    {
        var options = new BedrockOptions { AccessKeyId = "env:UNSET_KEY", ApiKey = "k", SessionToken = "t", BaseUrl = "ftp://x" };

        var problems = BedrockOptionsValidator.Validate(options, "providers[2]", Environment);

        Assert.Equal(
            [
                "providers[2].region: required for type 'bedrock'",
                "providers[2].secretAccessKey: required with accessKeyId",
                "providers[2].apiKey: use either apiKey or accessKeyId/secretAccessKey, not both",
                "providers[2].accessKeyId: environment variable UNSET_KEY is not set",
                "providers[2].baseUrl: 'ftp://x' is not an absolute http(s) URL",
            ],
            problems);
    }

    [Theory]
    [InlineData("us-east-1", true)]
    [InlineData("us-gov-west-1", true)]
    [InlineData("ap-southeast-2", true)]
    [InlineData("US-EAST-1", false)]
    [InlineData("us-east", false)]
    [InlineData("bedrock.us-east-1", false)]
    public void Checks_the_shape_of_an_aws_region(string region, bool valid)
    {
        var problems = BedrockOptionsValidator.Validate(new BedrockOptions { Region = region }, "providers[0]", Environment);

        Assert.Equal(valid, problems.Count == 0);
    }

    [Fact]
    public void A_session_token_needs_its_keys()
    {
        var problems = BedrockOptionsValidator.Validate(new BedrockOptions { Region = "us-east-1", SessionToken = "t" }, "providers[1]", Environment);

        Assert.Equal(["providers[1].sessionToken: needs accessKeyId and secretAccessKey"], problems);
    }

    [Fact]
    public void Reports_every_azure_problem_with_its_path()
    {
        var options = new AzureOptions { ApiVersion = "latest", Auth = new AzureAuthOptions { Kind = "entra", ClientSecret = "env:UNSET_SECRET", AuthorityHost = "http://login.example" } };

        var problems = AzureOptionsValidator.Validate(options, "providers[1]", Environment);

        Assert.Equal(
            [
                "providers[1].baseUrl: required for type 'azure'",
                "providers[1].apiVersion: 'latest' is neither v1 nor a dated version such as 2024-10-21 or 2025-04-01-preview",
                "providers[1].auth.tenantId: required for auth kind 'entra'",
                "providers[1].auth.clientId: required for auth kind 'entra'",
                "providers[1].auth.clientSecret: environment variable UNSET_SECRET is not set",
                "providers[1].auth.authorityHost: 'http://login.example' is not an absolute https URL",
            ],
            problems);
    }

    [Fact]
    public void Azure_needs_a_key_or_auth_but_not_both_and_a_known_auth_kind()
    {
        var neither = AzureOptionsValidator.Validate(new AzureOptions { BaseUrl = "https://r.openai.azure.com" }, "providers[0]", Environment);
        var both = AzureOptionsValidator.Validate(new AzureOptions { BaseUrl = "https://r.openai.azure.com", ApiKey = "k", Auth = new AzureAuthOptions { Kind = "managedIdentity" } }, "providers[0]", Environment);
        var unknown = AzureOptionsValidator.Validate(new AzureOptions { BaseUrl = "https://r.openai.azure.com", Auth = new AzureAuthOptions { Kind = "password" } }, "providers[0]", Environment);
        var workload = AzureOptionsValidator.Validate(new AzureOptions { BaseUrl = "https://r.openai.azure.com", Auth = new AzureAuthOptions { Kind = "workloadIdentity", ClientId = "c" } }, "providers[0]", Environment);

        Assert.Equal(["providers[0].apiKey: required for type 'azure' unless auth is set"], neither);
        Assert.Equal(["providers[0].auth: use either apiKey or auth, not both"], both);
        Assert.Equal(["providers[0].auth.kind: 'password' is not one of entra, managedIdentity, workloadIdentity"], unknown);
        Assert.Equal(
            [
                "providers[0].auth.tenantId: required for auth kind 'workloadIdentity' (or set AZURE_TENANT_ID)",
                "providers[0].auth.tokenFilePath: required for auth kind 'workloadIdentity' (or set AZURE_FEDERATED_TOKEN_FILE)",
            ],
            workload);
    }

    [Fact]
    public void Reports_every_vertex_problem_with_its_path()
    {
        var options = new VertexOptions { Project = "My Project", CredentialsFile = "/nonexistent/sa.json" };

        var problems = VertexOptionsValidator.Validate(options, "providers[3]");

        Assert.Equal(
            [
                "providers[3].location: required for type 'vertex'",
                "providers[3].project: 'My Project' is not a Google Cloud project id",
                "providers[3].credentialsFile: '/nonexistent/sa.json' does not exist",
            ],
            problems);
    }

    [Theory]
    [InlineData("us-central1", "https://us-central1-aiplatform.googleapis.com")]
    [InlineData("europe-west4", "https://europe-west4-aiplatform.googleapis.com")]
    [InlineData("global", "https://aiplatform.googleapis.com")]
    public void Vertex_reaches_the_location_s_own_host(string location, string endpoint)
    {
        var options = new VertexOptions { Project = "my-project", Location = location };

        Assert.Empty(VertexOptionsValidator.Validate(options, "providers[0]"));
        Assert.Equal($"{endpoint}/v1/projects/my-project/locations/{location}/publishers/google/models/gemini-2.5-pro:streamGenerateContent?alt=sse",
            VertexUrls.StreamGenerateContent(options, "gemini-2.5-pro").AbsoluteUri);
    }

    [Fact]
    public void Azure_accepts_a_base_url_pasted_with_its_openai_suffix()
    {
        var dated = new AzureOptions { BaseUrl = "https://r.openai.azure.com/openai/", ApiVersion = "2025-04-01-preview" };
        var v1 = new AzureOptions { BaseUrl = "https://r.openai.azure.com/openai/v1/", ApiVersion = "v1" };

        Assert.Equal("https://r.openai.azure.com/openai/deployments/gpt-4o%20mini/embeddings?api-version=2025-04-01-preview", AzureUrls.Embeddings(dated, "gpt-4o mini").AbsoluteUri);
        Assert.Equal("https://r.openai.azure.com/openai/responses?api-version=2025-04-01-preview", AzureUrls.Responses(dated).AbsoluteUri);
        Assert.Equal("https://r.openai.azure.com/openai/v1/chat/completions", AzureUrls.ChatCompletions(v1, "gpt-4o").AbsoluteUri);
    }

    [Fact]
    public void Redacts_secrets_from_the_options_text()
    {
        var texts = new object[]
        {
            new BedrockOptions { Region = "us-east-1", AccessKeyId = "AKIA", SecretAccessKey = "very-secret-1" },
            new AzureOptions { BaseUrl = "https://r", ApiKey = "very-secret-2" },
            new AzureAuthOptions { Kind = "entra", ClientSecret = "very-secret-3" },
        }.Select(o => o.ToString()!);

        Assert.All(texts, text => Assert.DoesNotContain("very-secret", text, StringComparison.Ordinal));
    }

    private static IConfigurationRoot Load(string json) =>
        new ConfigurationBuilder().AddJsonStream(new MemoryStream(Encoding.UTF8.GetBytes(json))).Build();
}
