using Switchyard.Catalog;
using Switchyard.Dialects;
using Switchyard.Dialects.Json;

namespace Switchyard.Providers;

/// <summary>
/// Where a provider's requests go, and what their bodies need beyond their dialect's: a vendor's
/// own API takes each dialect's path under its base URL (<see cref="DialectPaths"/>); a cloud puts
/// the same dialect under its own paths (a deployment, a project and location) and may want the
/// body's model moved into the path.
/// </summary>
internal interface IUpstreamAddressing
{
    string Url(Provider provider, IUpstreamEndpoint dialect, string upstreamModel, bool stream);

    /// <summary>Top-level edits a body in <paramref name="dialect"/> needs for this provider; null when none.</summary>
    JsonTopLevelEditor? BodyEdits(IUpstreamEndpoint dialect) => null;

    /// <summary>The provider counts tokens at its dialect's own count path (<see cref="ITokenCounting.CountPath"/>).</summary>
    bool CountsTokens => false;
}

/// <summary>A vendor's own API: each dialect's own path under the provider's base URL.</summary>
internal sealed class DialectPaths : IUpstreamAddressing
{
    public static DialectPaths Instance { get; } = new();

    public string Url(Provider provider, IUpstreamEndpoint dialect, string upstreamModel, bool stream) =>
        provider.BaseUrl + dialect.Path(upstreamModel, stream);

    public bool CountsTokens => true;
}
