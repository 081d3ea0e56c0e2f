namespace Switchyard.Dialects;

/// <summary>What a client route does; the host composes its steps from this.</summary>
public enum RouteOperation
{
    /// <summary>Generate a chat answer (<see cref="IClientCodec"/>), streamed or not.</summary>
    Generate,

    /// <summary>Count a request's input tokens (<see cref="ITokenCounting"/>); never charged.</summary>
    CountTokens,

    /// <summary>Embed text (<see cref="IEmbeddingCodec"/>).</summary>
    Embed,

    /// <summary>Generate images (<see cref="IMediaDialect"/>).</summary>
    Images,

    /// <summary>Synthesize speech, the audio streamed back (<see cref="IMediaDialect"/>).</summary>
    Speech,

    /// <summary>Transcribe an uploaded file, streamed up (<see cref="IMediaDialect"/>).</summary>
    Transcription,

    /// <summary>List the models the caller may use (<see cref="IModelListing"/>).</summary>
    ListModels,

    /// <summary>Describe one model (<see cref="IModelListing"/>).</summary>
    GetModel,

    /// <summary>Read a stored answer by id (<see cref="IStoredConversation"/>).</summary>
    GetStored,

    /// <summary>Delete a stored answer by id (<see cref="IStoredConversation"/>).</summary>
    DeleteStored,

    /// <summary>A path under the dialect's prefix that names no method it has: a 404 in its envelope.</summary>
    Unknown,
}
