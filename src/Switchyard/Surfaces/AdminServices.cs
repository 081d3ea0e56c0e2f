using Microsoft.Extensions.Logging;
using Switchyard.Auth;
using Switchyard.Metering;
using Switchyard.Storage;

namespace Switchyard.Surfaces;

/// <summary>What the admin routes work with, injected as one parameter.</summary>
internal sealed class AdminServices(
    IKeyStore keys,
    IUsageLedger ledger,
    UsageWriter writer,
    ApiKeyAuthenticator authenticator,
    TimeProvider time,
    ILogger<AdminServices> logger)
{
    public IKeyStore Keys => keys;

    public IUsageLedger Ledger => ledger;

    public UsageWriter Writer => writer;

    public ApiKeyAuthenticator Authenticator => authenticator;

    public TimeProvider Time => time;

    public ILogger Logger => logger;
}
