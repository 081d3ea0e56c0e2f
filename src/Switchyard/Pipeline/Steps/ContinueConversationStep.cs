using Switchyard.Conversations;
using Switchyard.Dialects;

namespace Switchyard.Pipeline.Steps;

/// <summary>
/// On a dialect whose answers the gateway stores: a request that continues a stored conversation
/// is served with the conversation's items in place of its reference, and its answer is stored
/// once it has been written.
/// </summary>
internal sealed class ContinueConversationStep(ConversationState conversations) : IGatewayStep
{
    public Task InvokeAsync(GatewayRequest request, GatewayHandler next) =>
        request.Dialect is IStoredConversation dialect ? ContinueAsync(dialect, request, next) : next(request);

    private async Task ContinueAsync(IStoredConversation dialect, GatewayRequest request, GatewayHandler next)
    {

        var (turn, continued) = await conversations.PrepareAsync(dialect, request.Body, request.TopLevel, request.Caller!, request.Aborted);
        request.Turn = turn;
        if (continued is { } body)
        {
            request.ReplaceBody(body);
        }

        await next(request);
        if (request.Outcome is { Committed: true, Error: null })
        {
            await conversations.RecordAsync(turn, request.Caller!, request.ModelId!, CancellationToken.None);
        }
    }
}
