using Microsoft.AspNetCore.Routing;
using Switchyard.Conversations;
using Switchyard.Dialects;
using Switchyard.Dialects.Json;

namespace Switchyard.Pipeline.Operations;

/// <summary>Reads or deletes an answer the caller's key stored; any other id is a 404, whoever owns it.</summary>
internal sealed class StoredAnswerOperation(ConversationState conversations) : IGatewayOperation
{
    public async Task InvokeAsync(GatewayRequest request)
    {
        var dialect = (IStoredConversation)request.Dialect!;
        var id = request.Context.GetRouteValue("id") as string ?? string.Empty;
        var response = request.Context.Response;
        if (request.Route!.Operation == RouteOperation.GetStored)
        {
            var record = await conversations.GetAsync(id, request.Caller!, request.Aborted)
                ?? throw new GatewayException(dialect.NotFound(id, continuing: false));
            var bytes = System.Text.Encoding.UTF8.GetBytes(record.Response);
            response.ContentType = "application/json";
            response.ContentLength = bytes.Length;
            await response.Body.WriteAsync(bytes, request.Aborted);
            return;
        }

        if (!await conversations.DeleteAsync(id, request.Caller!, request.Aborted))
        {
            throw new GatewayException(dialect.NotFound(id, continuing: false));
        }

        using var buffer = new PooledBufferWriter(128);
        dialect.WriteDeleted(id, buffer);
        response.ContentType = "application/json";
        response.ContentLength = buffer.WrittenCount;
        await response.Body.WriteAsync(buffer.WrittenMemory, request.Aborted);
    }
}
