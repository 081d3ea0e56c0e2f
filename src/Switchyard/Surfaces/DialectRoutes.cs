using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Switchyard.Diagnostics;
using Switchyard.Dialects;
using Switchyard.Pipeline;
using Switchyard.Pipeline.Operations;
using Switchyard.Pipeline.Steps;

namespace Switchyard.Surfaces;

/// <summary>
/// Maps every route of every registered client dialect (<see cref="DialectRegistry"/>): each gets
/// the steps its operation needs, composed once around the operation that answers. No dialect is
/// named here; a new one's routes appear when it is registered.
/// </summary>
internal static class DialectRoutes
{
    public static IEndpointRouteBuilder MapDialects(this IEndpointRouteBuilder routes)
    {
        var services = routes.ServiceProvider;
        foreach (var dialect in DialectRegistry.Clients)
        {
            foreach (var route in dialect.Routes)
            {
                var (steps, operation) = Compose(route.Operation, services);
                var handler = GatewayChain.Build(steps, operation);
                var telemetry = Metered(route.Operation) ? new GatewayOperation(dialect.Surface.Name, route.OperationName) : null;
                routes.MapMethods(route.Pattern, [route.Method], context =>
                {
                    var request = context.Features.Get<GatewayRequest>()!;
                    request.Dialect = dialect;
                    request.Route = route;
                    request.Operation = telemetry;
                    request.Uncharged = route.Operation == RouteOperation.CountTokens;
                    return handler(request);
                }).WithMetadata(route);
            }
        }

        return routes;
    }

    /// <summary>The requests that are model calls: they have telemetry, and a request-log row once admitted.</summary>
    private static bool Metered(RouteOperation operation) => RoutePlanner.KindOf(operation) is not null;

    private static (IGatewayStep[] Steps, IGatewayOperation Operation) Compose(RouteOperation operation, IServiceProvider services)
    {
        IGatewayStep guard = services.GetRequiredService<GuardStep>();
        IGatewayStep authenticate = services.GetRequiredService<AuthenticateStep>();
        IGatewayStep slot = services.GetRequiredService<AdmitRequestStep>();
        IGatewayStep body = services.GetRequiredService<ReadBodyStep>();
        IGatewayStep resolve = services.GetRequiredService<ResolveModelStep>();
        IGatewayStep admit = services.GetRequiredService<AdmitStep>();
        return operation switch
        {
            RouteOperation.Generate => ([guard, authenticate, slot, body, resolve, services.GetRequiredService<ContinueConversationStep>(), admit],
                services.GetRequiredService<GenerateOperation>()),
            RouteOperation.CountTokens => ([guard, authenticate, slot, body, resolve], services.GetRequiredService<CountTokensOperation>()),
            RouteOperation.Embed => ([guard, authenticate, slot, body, resolve, admit], services.GetRequiredService<EmbedOperation>()),
            RouteOperation.Images or RouteOperation.Speech => ([guard, authenticate, slot, body, resolve, admit], services.GetRequiredService<MediaOperation>()),
            RouteOperation.Transcription => ([guard, authenticate, slot], services.GetRequiredService<TranscriptionOperation>()),
            RouteOperation.ListModels or RouteOperation.GetModel => ([guard, authenticate], services.GetRequiredService<ModelListingOperation>()),
            RouteOperation.GetStored or RouteOperation.DeleteStored => ([guard, authenticate], services.GetRequiredService<StoredAnswerOperation>()),
            _ => ([guard, authenticate], services.GetRequiredService<UnknownMethodOperation>()),
        };
    }

    /// <summary>The steps and operations the routes are composed of.</summary>
    public static IServiceCollection AddGatewaySteps(this IServiceCollection services)
    {
        services.AddSingleton<GuardStep>();
        services.AddSingleton<AuthenticateStep>();
        services.AddSingleton<AdmitRequestStep>();
        services.AddSingleton<BodyBudget>();
        services.AddSingleton<ReadBodyStep>();
        services.AddSingleton<ResolveModelStep>();
        services.AddSingleton<ContinueConversationStep>();
        services.AddSingleton<AdmitStep>();
        services.AddSingleton<GenerateOperation>();
        services.AddSingleton<CountTokensOperation>();
        services.AddSingleton<EmbedOperation>();
        services.AddSingleton<MediaOperation>();
        services.AddSingleton<TranscriptionOperation>();
        services.AddSingleton<ModelListingOperation>();
        services.AddSingleton<StoredAnswerOperation>();
        services.AddSingleton<UnknownMethodOperation>();
        return services;
    }
}
