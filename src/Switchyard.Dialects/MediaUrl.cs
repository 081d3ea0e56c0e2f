namespace Switchyard.Dialects;

/// <summary>A URL in a request that its upstream would fetch (an image, document, audio or video by URL).</summary>
/// <param name="Url">The URL as the client wrote it.</param>
/// <param name="Param">Where it was found, for the error that refuses it (<c>image_url.url</c>, <c>source.url</c>…).</param>
public readonly record struct MediaUrl(string Url, string Param);
