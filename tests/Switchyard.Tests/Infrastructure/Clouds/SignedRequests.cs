using System.Net.Http.Headers;
using System.Text;
using Switchyard.Providers;

namespace Switchyard.Tests.Infrastructure.Clouds;

/// <summary>Sends a JSON request the way the gateway will: body final, then signed, then sent.</summary>
internal static class SignedRequests
{
    public static async Task<HttpResponseMessage> SendAsync(IUpstreamSigner signer, Uri url, string body, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(bytes) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        await signer.SignAsync(request, bytes, cancellationToken);
        using var client = new HttpClient();
        return await client.SendAsync(request, cancellationToken);
    }
}
