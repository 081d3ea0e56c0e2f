using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.Extensions.Logging;

namespace Switchyard.Alerts;

/// <summary>
/// Delivers one alert to one webhook: POST, signed when the webhook has a secret; any 2xx is
/// delivered; anything else (status, timeout, connection failure) is tried again after 0.5 s,
/// 1 s, 2 s… up to the configured number of tries. Each try is signed with its own timestamp.
/// </summary>
internal sealed class WebhookSender(DeliveryLog log, TimeProvider time, ILogger<WebhookSender> logger) : IDisposable
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan TryTimeout = TimeSpan.FromSeconds(5);

    private readonly HttpMessageInvoker _client = new(new SocketsHttpHandler
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        UseCookies = false,
        ConnectTimeout = TryTimeout,
        PooledConnectionLifetime = TimeSpan.FromMinutes(5),
    });

    public int MaxAttempts { get; set; } = 6;

    public async Task DeliverAsync(AlertEvent alert, WebhookTarget target, CancellationToken cancellationToken)
    {
        var delivery = new WebhookDelivery { Id = "dlv_" + alert.Id[4..] + "_" + target.Index.ToString(CultureInfo.InvariantCulture), Event = alert, Target = target };
        log.Add(delivery);
        var body = AlertPayload.Write(alert, target.Format);
        var delay = FirstRetry;
        for (var attempt = 1; attempt <= MaxAttempts; attempt++)
        {
            var (status, error) = await TryAsync(alert, delivery.Id, target, body, cancellationToken);
            var last = attempt == MaxAttempts;
            if (error is null)
            {
                delivery.Tried(status, null, DeliveryState.Delivered, time.GetUtcNow());
                logger.AlertDelivered(alert.Type, delivery.Id, target.Index, attempt);
                return;
            }

            delivery.Tried(status, error, last ? DeliveryState.Failed : DeliveryState.Pending, time.GetUtcNow());
            logger.AlertDeliveryFailed(alert.Type, delivery.Id, target.Index, attempt, error);
            if (!last)
            {
                await Task.Delay(delay, time, cancellationToken);
                delay *= 2;
            }
        }
    }

    private async Task<(int? Status, string? Error)> TryAsync(AlertEvent alert, string deliveryId, WebhookTarget target, byte[] body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, target.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("Switchyard", "1"));
        request.Headers.Add(WebhookSignature.EventHeader, alert.Type);
        request.Headers.Add(WebhookSignature.DeliveryHeader, deliveryId);
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        if (target.Secret is { Length: > 0 } secret)
        {
            request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(secret, timestamp, body));
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TryTimeout);
        try
        {
            using var response = await _client.SendAsync(request, timeout.Token);
            var status = (int)response.StatusCode;
            return response.IsSuccessStatusCode ? (status, null) : (status, $"answered {status}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, "timed out");
        }
        catch (HttpRequestException exception)
        {
            // The error kind, not the message: messages name the address.
            return (null, "could not connect (" + exception.HttpRequestError.ToString() + ")");
        }
    }

    public void Dispose() => _client.Dispose();
}
