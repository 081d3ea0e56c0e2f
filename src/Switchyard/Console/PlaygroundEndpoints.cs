using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Switchyard.Auth;
using Switchyard.Catalog;
using Switchyard.Console.Models;
using Switchyard.Console.Pages;
using Switchyard.Pipeline;

namespace Switchyard.Console;

/// <summary>The playground: admins call as any key (or the master key, which never leaves the server), key holders as themselves.</summary>
internal static class PlaygroundEndpoints
{
    public static void Map(RouteGroupBuilder pages)
    {
        pages.MapGet("/playground", ShowAsync).RequireAuthorization(ConsoleAuth.PlaygroundPolicy);
        pages.MapPost("/playground/send", SendAsync).RequireAuthorization(ConsoleAuth.PlaygroundPolicy);
    }

    private static async Task<IResult> ShowAsync(HttpContext context, ConsoleData data, ApiKeyAuthenticator authenticator)
    {
        var user = ConsoleUser.From(context.User);
        var caller = user.OwnKey is { } own ? await authenticator.FindByIdAsync(own, context.RequestAborted) : null;
        var keys = user.IsAdmin ? await data.KeyChoicesAsync(activeOnly: true, ConsoleScope.Everything, context.RequestAborted) : [];
        return ConsolePages.Render<PlaygroundPage>(context, "playground", "Playground", new PlaygroundModel(data.ModelIds(Dialects.ModelKind.Chat, caller), keys));
    }

    private static async Task<IResult> SendAsync(HttpContext context, PlaygroundProxy proxy, ApiKeyAuthenticator authenticator,
        string? surface, string? model, string? key, bool? stream)
    {
        var user = ConsoleUser.From(context.User);
        var keyId = user.OwnKey ?? (string.IsNullOrEmpty(key) ? Caller.Master.KeyId : key);
        if (await authenticator.FindByIdAsync(keyId, context.RequestAborted) is null)
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: "That key does not exist, or it was revoked or has expired.");
        }

        if (PlaygroundProxy.Route(surface ?? "", model ?? "", stream == true) is not { } route || string.IsNullOrEmpty(model))
        {
            return Results.Problem(statusCode: StatusCodes.Status400BadRequest, detail: "Choose a surface (chat, responses, messages or gemini) and a model.");
        }

        byte[] bytes;
        try
        {
            using var body = await RequestBody.ReadAsync(context.Request, PlaygroundProxy.MaxBodyBytes, context.RequestAborted);
            bytes = body.WrittenSpan.ToArray();
        }
        catch (Dialects.GatewayException)
        {
            return Results.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, detail: "A playground request is at most 1 MB.");
        }

        await proxy.ForwardAsync(context, route, keyId, bytes);
        return Results.Empty;
    }
}
