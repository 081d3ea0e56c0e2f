namespace Switchyard.Forwarding;

/// <summary>A provider's credentials could not be had (its token endpoint failed or refused); the message names no secret.</summary>
internal sealed class UpstreamCredentialsException(string message, Exception? inner = null) : Exception(message, inner);
