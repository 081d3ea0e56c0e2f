namespace Switchyard.Dialects;

/// <summary>
/// A wire format: a client surface, an upstream API, or both. Each is one instance, registered in
/// <see cref="DialectRegistry"/>; what it can do is the capability interfaces it implements
/// (<see cref="IClientDialect"/>, <see cref="IClientCodec"/>, <see cref="IUpstreamCodec"/>,
/// <see cref="IPassthrough"/>, …). A request passes through exactly when its client dialect is its
/// upstream's.
/// </summary>
public abstract class Dialect
{
    /// <summary>A stable name for logs and diagnostics (<c>openai-chat</c>, <c>anthropic-messages</c>, …).</summary>
    public abstract string Name { get; }

    public override string ToString() => Name;
}
