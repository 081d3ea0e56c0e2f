using Microsoft.AspNetCore.Http;

namespace Switchyard.Tests.Infrastructure.Clouds;

/// <summary>A cloud fake that answers with queued scripts once a request passes its checks, and records every request.</summary>
public interface IScriptedCloud
{
    IReadOnlyCollection<CloudRequest> Requests { get; }

    /// <summary>Answers the next request that passes the fake's checks with <paramref name="script"/>.</summary>
    void Enqueue(Func<HttpContext, CloudRequest, Task> script);

    /// <summary>Forgets queued scripts a failed test left behind.</summary>
    void ClearScripts();
}
