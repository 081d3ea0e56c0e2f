namespace Switchyard.Storage;

/// <summary>The requests of one hour or day: how many, how many failed (status 400 and up), tokens in every bucket, and credits charged.</summary>
public sealed record TimelinePoint(DateTimeOffset Start, long Requests, long Errors, long Tokens, decimal Cost);
