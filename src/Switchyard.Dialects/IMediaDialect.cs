namespace Switchyard.Dialects;

/// <summary>
/// An image or audio method: its client routes and the upstream endpoint it is relayed to, with
/// the model renamed. Media is passed through to a provider whose API serves the same dialect.
/// </summary>
public interface IMediaDialect : IClientDialect, IUpstreamEndpoint;
