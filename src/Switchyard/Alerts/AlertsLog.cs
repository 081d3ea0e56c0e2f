using Microsoft.Extensions.Logging;
using Switchyard.Diagnostics;

namespace Switchyard.Alerts;

/// <summary>Log events of alert deliveries and console sign-ins; webhook addresses and secrets are never arguments.</summary>
internal static partial class AlertsLog
{
    [LoggerMessage(EventId = EventIds.AlertDelivered, Level = LogLevel.Debug, Message = "Alert {Event} {DeliveryId} delivered to webhook {Webhook} on try {Attempt}")]
    public static partial void AlertDelivered(this ILogger logger, string @event, string deliveryId, int webhook, int attempt);

    [LoggerMessage(EventId = EventIds.AlertDeliveryFailed, Level = LogLevel.Warning, Message = "Alert {Event} {DeliveryId} to webhook {Webhook} failed on try {Attempt}: {Outcome}")]
    public static partial void AlertDeliveryFailed(this ILogger logger, string @event, string deliveryId, int webhook, int attempt, string outcome);

    [LoggerMessage(EventId = EventIds.AlertDropped, Level = LogLevel.Warning, Message = "Alert {Event} dropped: {Reason}")]
    public static partial void AlertDropped(this ILogger logger, string @event, string reason);

    [LoggerMessage(EventId = EventIds.ConsoleSignIn, Level = LogLevel.Information, Message = "Console sign-in as {Role} ({Method}) by {Subject}")]
    public static partial void ConsoleSignIn(this ILogger logger, string role, string method, string subject);

    [LoggerMessage(EventId = EventIds.ConsoleSignInRefused, Level = LogLevel.Warning, Message = "Console sign-in refused ({Method}): {Reason}")]
    public static partial void ConsoleSignInRefused(this ILogger logger, string method, string reason);
}
