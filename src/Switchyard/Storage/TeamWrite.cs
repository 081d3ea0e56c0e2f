namespace Switchyard.Storage;

/// <summary>What a change to the teams came to; the refusals are the caller's to explain (404, 409).</summary>
internal enum TeamWrite
{
    Done,
    NotFound,

    /// <summary>Another team has the name.</summary>
    NameTaken,

    /// <summary>Keys that are not revoked still belong to the team.</summary>
    HasKeys,
}
