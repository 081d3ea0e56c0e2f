using Switchyard.Dialects.Framing;

namespace Switchyard.Forwarding;

/// <summary>A read-only view of an upstream body that restarts the call's idle timer before each read.</summary>
internal sealed class IdleTimeoutStream(Stream inner, UpstreamCall call) : ReadOnlyViewStream(inner, ownsInner: true)
{
    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        call.Touch();

        // The relays read under the token the call is linked to already: no link (and no state
        // machine) per read, which an open stream pays on every frame.
        return !cancellationToken.CanBeCanceled || cancellationToken == call.Caller || cancellationToken == call.Token
            ? Inner.ReadAsync(buffer, call.Token)
            : ReadLinkedAsync(buffer, cancellationToken);
    }

    private async ValueTask<int> ReadLinkedAsync(Memory<byte> buffer, CancellationToken cancellationToken)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, call.Token);
        return await Inner.ReadAsync(buffer, linked.Token);
    }
}
