using System.Security.Cryptography;
using System.Text.Json.Nodes;

namespace Switchyard.Tests.Infrastructure.Clouds;

/// <summary>A Google service-account key made for the test: an RSA key pair and its JSON key file, with any <c>token_uri</c>.</summary>
public sealed class ServiceAccountKey : IDisposable
{
    private ServiceAccountKey(RSA key, string path, string email)
    {
        Key = key;
        FilePath = path;
        ClientEmail = email;
    }

    public RSA Key { get; }

    public string FilePath { get; }

    public string ClientEmail { get; }

    /// <param name="tokenUri">Where the key's owner gets tokens (the fake OAuth endpoint).</param>
    /// <param name="signingKey">The private key written into the file; another key than <see cref="Key"/> makes a file the token endpoint refuses.</param>
    public static ServiceAccountKey Create(string tokenUri, RSA? signingKey = null)
    {
        var key = RSA.Create(2048);
        var email = "switchyard@my-project.iam.gserviceaccount.com";
        var file = new JsonObject
        {
            ["type"] = "service_account",
            ["project_id"] = "my-project",
            ["private_key_id"] = "3f1c9a0b7d2e4f6a8b0c1d2e3f4a5b6c7d8e9f0a",
            ["private_key"] = (signingKey ?? key).ExportPkcs8PrivateKeyPem(),
            ["client_email"] = email,
            ["client_id"] = "109876543210987654321",
            ["auth_uri"] = "https://accounts.google.com/o/oauth2/auth",
            ["token_uri"] = tokenUri,
        };
        var path = Path.Combine(Path.GetTempPath(), $"switchyard-sa-{Guid.NewGuid():N}.json");
        File.WriteAllText(path, file.ToJsonString());
        return new ServiceAccountKey(key, path, email);
    }

    public void Dispose()
    {
        File.Delete(FilePath);
        Key.Dispose();
    }
}
