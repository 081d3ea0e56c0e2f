// The floor on YARP: POST /v1/chat/completions forwarded by YARP's IHttpForwarder to
// $UPSTREAM_URL/chat/completions (request headers and body copied up, response headers and body
// copied back, SSE written through as it arrives), with the upstream's key instead of the
// client's. No gateway logic: what a .NET proxy built on YARP costs per request and per frame.
using System.Net;
using Yarp.ReverseProxy.Forwarder;
using YarpRelay;

// Socket completions inline, as the gateway runs them (src/Switchyard/Hosting/SocketCompletions.cs):
// the floor is the stack at its best, so it gets the same setting unless the environment says otherwise.
if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS")))
{
    Environment.SetEnvironmentVariable("DOTNET_SYSTEM_NET_SOCKETS_INLINE_COMPLETIONS", "1");
}

var upstream = new Uri(Environment.GetEnvironmentVariable("UPSTREAM_URL")!.TrimEnd('/') + "/chat/completions");
var upstreamKey = Environment.GetEnvironmentVariable("UPSTREAM_API_KEY") ?? "";
var builder = WebApplication.CreateSlimBuilder(args);
builder.Logging.ClearProviders();
builder.Services.AddHttpForwarder();
var app = builder.Build();

// The handler YARP's ForwarderHttpClientFactory builds, minus trace-context propagation (the
// bench sends no traces, and bench/floor adds none either).
var client = new HttpMessageInvoker(new SocketsHttpHandler
{
    UseProxy = false,
    AllowAutoRedirect = false,
    AutomaticDecompression = DecompressionMethods.None,
    UseCookies = false,
    EnableMultipleHttp2Connections = true,
    ActivityHeadersPropagator = null,
    ConnectTimeout = TimeSpan.FromSeconds(15),
});

// HTTP/1.1 to a plain-http upstream, as bench/floor and the gateway speak it.
var requestConfig = new ForwarderRequestConfig
{
    Version = HttpVersion.Version11,
    VersionPolicy = HttpVersionPolicy.RequestVersionOrLower,
};
var transformer = new UpstreamTransformer(upstream, "Bearer " + upstreamKey);
var destinationPrefix = upstream.GetLeftPart(UriPartial.Authority);
var forwarder = app.Services.GetRequiredService<IHttpForwarder>();

// A plain RequestDelegate, as bench/floor's (no parameter binding). YARP answers 502/504 itself
// when the upstream fails; nothing more to do with its ForwarderError.
app.MapPost("/v1/chat/completions", async (HttpContext context) =>
{
    await forwarder.SendAsync(context, destinationPrefix, client, requestConfig, transformer);
});
app.Run();
