namespace Switchyard.Storage;

/// <summary>The configured store's parts, opened together on one database.</summary>
public sealed record Stores(IKeyStore Keys, IConversationStore Conversations);
