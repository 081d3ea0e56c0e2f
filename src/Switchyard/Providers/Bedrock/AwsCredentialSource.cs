using Amazon.Runtime;
using Amazon.Runtime.Credentials;

namespace Switchyard.Providers.Bedrock;

/// <summary>
/// Where a Bedrock provider's AWS credentials come from: keys in its configuration, or the
/// standard AWS chain (environment, shared config and credentials files, web identity, ECS
/// container and EC2 instance roles) resolved by AWSSDK.Core on first use. Role credentials
/// refresh themselves before they expire.
/// </summary>
internal sealed class AwsCredentialSource : IDisposable
{
    private readonly Func<CancellationToken, Task<AWSCredentials>> _resolve;
    private readonly IDisposable? _resolver;
    private readonly SemaphoreSlim _gate = new(1, 1);
    private AWSCredentials? _credentials;

    private AwsCredentialSource(Func<CancellationToken, Task<AWSCredentials>> resolve, IDisposable? resolver = null)
    {
        _resolve = resolve;
        _resolver = resolver;
    }

    /// <summary>Keys from configuration; a session token makes them temporary credentials.</summary>
    public static AwsCredentialSource FromKeys(string accessKeyId, string secretAccessKey, string? sessionToken)
    {
        AWSCredentials credentials = sessionToken is { Length: > 0 }
            ? new SessionAWSCredentials(accessKeyId, secretAccessKey, sessionToken)
            : new BasicAWSCredentials(accessKeyId, secretAccessKey);
        return new AwsCredentialSource(_ => Task.FromResult(credentials));
    }

    /// <summary>The default chain, resolved lazily: a gateway starts even where no credentials exist yet.</summary>
    public static AwsCredentialSource DefaultChain()
    {
        // The resolver lives as long as the source: it watches the shared files it read.
        var resolver = new DefaultAWSCredentialsIdentityResolver();
        return new(cancellationToken => resolver.ResolveIdentityAsync(clientConfig: null, cancellationToken), resolver);
    }

    /// <summary>Any AWS credentials object (tests, or a future <c>profile</c> setting).</summary>
    public static AwsCredentialSource From(AWSCredentials credentials) => new(_ => Task.FromResult(credentials));

    public async ValueTask<ImmutableCredentials> GetAsync(CancellationToken cancellationToken)
    {
        var credentials = _credentials ?? await ResolveAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return await credentials.GetCredentialsAsync().WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (Exception exception) when (exception is AmazonClientException or AmazonServiceException or HttpRequestException or IOException)
        {
            throw new UpstreamCredentialsException("The AWS credentials of this provider could not be refreshed.", exception);
        }
    }

    private async Task<AWSCredentials> ResolveAsync(CancellationToken cancellationToken)
    {
        // One resolution at a time, and a failed one is not remembered: the chain may succeed
        // later (an instance role attached after start, a credentials file written by a sidecar).
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_credentials is { } resolved)
            {
                return resolved;
            }

            try
            {
                return _credentials = await _resolve(cancellationToken).ConfigureAwait(false);
            }
            catch (AmazonClientException exception)
            {
                throw new UpstreamCredentialsException(
                    "No AWS credentials were found: set accessKeyId and secretAccessKey, or provide credentials through the environment, shared files or a role.",
                    exception);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose()
    {
        (_credentials as IDisposable)?.Dispose();
        _resolver?.Dispose();
        _gate.Dispose();
    }
}
