using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Switchyard.Dialects.Canonical;

namespace Switchyard.Dialects;

/// <summary>
/// Fits a request's tools to what an upstream dialect can declare, and maps the calls that come
/// back onto the client's tools:
///  1. hosted tools: kept where the upstream has them natively (web search where its provider has
///     search), dropped and reported where the client marked them optional, else a 400 naming the
///     tool and the model;
///  2. namespaced and free-form tools, where the upstream has neither (all but OpenAI Responses),
///     become plain functions — <c>namespace__name</c>, a free-form tool taking one string — under
///     names valid in every dialect (<c>^[A-Za-z_][A-Za-z0-9_-]{0,63}$</c>), shortened with a hash
///     when too long, so each maps back unambiguously;
///  3. the conversation's earlier calls take the same upstream names; calls the provider ran itself
///     (web search) stay out, as providers keep those to themselves;
///  4. calls in the answer, whole or streamed, get their client name, namespace and free-form input back.
/// The mapping is a pure function of the request, so every turn of a conversation sees the same names.
/// </summary>
public sealed class UpstreamAdapter
{
    private const int MaxNameLength = 64;
    private const string NamespaceSeparator = "__";

    private static readonly JsonElement FreeFormParameters = JsonDocument.Parse(
        """{"type":"object","properties":{"input":{"type":"string","description":"The tool's input, as free-form text."}},"required":["input"]}""").RootElement.Clone();

    // Upstream name → the client's tool; empty when nothing is renamed.
    private readonly Dictionary<string, ToolDefinition> _clientTools;

    private UpstreamAdapter(ChatRequest request, Dictionary<string, ToolDefinition> clientTools)
    {
        Request = request;
        _clientTools = clientTools;
    }

    /// <summary>The request as the upstream should see it (the original when nothing needs fitting).</summary>
    public ChatRequest Request { get; }

    /// <param name="request">The neutral request as the client's codec read it.</param>
    /// <param name="upstream">What the upstream's dialect can declare.</param>
    /// <param name="upstreamSearch">The upstream's provider has a native web search tool.</param>
    /// <exception cref="GatewayException">A hosted tool the upstream lacks and the client did not mark optional.</exception>
    public static UpstreamAdapter For(ChatRequest request, UpstreamAbilities upstream, bool upstreamSearch)
    {
        ReportForeignFields(request, upstream);

        // 1. Hosted tools, including the documented googleSearch function marker.
        var hosted = new List<HostedTool>();
        var functions = new List<ToolDefinition>();
        foreach (var tool in request.Tools ?? [])
        {
            if (tool.Name == HostedSearchFunction && tool.Namespace is null && tool.FreeForm is null)
            {
                hosted.Add(new HostedTool(HostedToolKind.WebSearch) { ClientType = HostedSearchFunction, Param = "tools", Search = new WebSearchOptions() });
            }
            else
            {
                functions.Add(tool);
            }
        }

        hosted.AddRange(request.HostedTools ?? []);
        var keptHosted = hosted.Where(tool => Supported(tool, request, upstream, upstreamSearch)).ToList();

        // 2. Declarations. Responses has namespaces and free-form tools itself.
        var native = upstream.NamespacesAndFreeFormTools;
        var clientTools = new Dictionary<string, ToolDefinition>(StringComparer.Ordinal);
        var upstreamNames = new Dictionary<(string?, string), string>();
        var declared = new List<ToolDefinition>(functions.Count);

        // Plain tools with valid names keep them; a flattened name never takes one of theirs.
        var used = functions.Where(t => t.Namespace is null && t.FreeForm is null && IsValidName(t.Name)).Select(t => t.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var tool in functions)
        {
            var name = native || (tool.Namespace is null && IsValidName(tool.Name)) ? tool.Name : UpstreamName(tool.Namespace, tool.Name, used);
            used.Add(name);
            upstreamNames[(tool.Namespace, tool.Name)] = name;
            if (name != tool.Name || (!native && (tool.Namespace is not null || tool.FreeForm is not null)))
            {
                clientTools[name] = tool;
            }

            declared.Add(native ? tool : Flattened(tool, name));
        }

        var renamesCalls = clientTools.Count > 0 || HasNamespacedOrFreeFormCalls(request);
        var stripsServerParts = request.Messages.Any(m => m.Parts.Any(p => p is ServerToolCallPart or ServerToolResultPart));
        if (!renamesCalls && !stripsServerParts && keptHosted.Count == hosted.Count && functions.Count == (request.Tools?.Count ?? 0))
        {
            return new UpstreamAdapter(request, clientTools);
        }

        // 3. The conversation so far, under the same names.
        var messages = request.Messages.Select(message => message with
        {
            Parts = message.Parts.Where(p => p is not (ServerToolCallPart or ServerToolResultPart)).Select(part => part switch
            {
                ToolCallPart call when !native => call with
                {
                    Name = upstreamNames.TryGetValue((call.Namespace, call.Name), out var name) ? name
                        : call.Namespace is null && IsValidName(call.Name) ? call.Name : UpstreamName(call.Namespace, call.Name, null),
                    Namespace = null,
                    FreeFormInput = null,
                },
                ToolResultPart { Name: { } resultName } result when !native && upstreamNames.TryGetValue((null, resultName), out var name) => result with { Name = name },
                _ => part,
            }).ToList(),
        }).Where(message => message.Parts.Count > 0).ToList();

        return new UpstreamAdapter(request with
        {
            Messages = messages,
            Tools = request.Tools is null ? null : declared,
            HostedTools = keptHosted,
            ToolChoice = request.ToolChoice is { } choice ? Renamed(choice, functions, upstreamNames) : null,
        }, clientTools);
    }

    /// <summary>
    /// Top-level fields of the client's dialect that the gateway does not know are kept for an
    /// upstream of that dialect (Chat Completions writes them back); anywhere else they are dropped, and said so.
    /// </summary>
    private static void ReportForeignFields(ChatRequest request, UpstreamAbilities upstream)
    {
        foreach (var key in request.Extensions?.Keys ?? Enumerable.Empty<string>())
        {
            if (upstream.WrittenExtensions.Any(kept => key.StartsWith(kept, StringComparison.Ordinal)))
            {
                continue;
            }

            var dot = key.LastIndexOf('.');
            request.Adjustments.Dropped(dot >= 0 ? key[(dot + 1)..] : key, "the upstream of this model has no such parameter");
        }

        if (request.PromptCacheKey is not null && !upstream.PromptCacheKey)
        {
            request.Adjustments.Dropped("prompt_cache_key", "the upstream of this model caches prompt prefixes by its own rules");
        }
    }

    /// <summary>The function name that asks for the upstream's native search, as the contract documents it.</summary>
    public const string HostedSearchFunction = "googleSearch";

    /// <summary>The answer with every call under its client name, namespace and free-form input.</summary>
    public ChatResponse Restore(ChatResponse response)
    {
        if (_clientTools.Count == 0 || !response.Parts.Any(p => p is ToolCallPart))
        {
            return response;
        }

        var parts = response.Parts.Select(part => part is ToolCallPart call && _clientTools.TryGetValue(call.Name, out var tool)
            ? Restored(call.Id, call.ArgumentsJson, tool)
            : part).ToList();
        return new ChatResponse
        {
            Id = response.Id,
            Model = response.Model,
            Created = response.Created,
            Parts = parts,
            FinishReason = response.FinishReason,
            Usage = response.Usage,
            Metadata = response.Metadata,
            Echo = response.Echo,
            Extensions = response.Extensions,
        };
    }

    /// <summary>
    /// The stream with every call's start carrying its client name, namespace and free-form kind;
    /// the stream itself when the client has no tools to restore (no stage per event for nothing).
    /// </summary>
    public IAsyncEnumerable<StreamEvent> Restore(IAsyncEnumerable<StreamEvent> events, CancellationToken cancellationToken) =>
        _clientTools.Count == 0 ? events : RestoreCalls(events, cancellationToken);

    private async IAsyncEnumerable<StreamEvent> RestoreCalls(IAsyncEnumerable<StreamEvent> events, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var item in events.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return item is PartStarted { Kind: PartKind.ToolCall, ToolName: { } name } started && _clientTools.TryGetValue(name, out var tool)
                ? started with { ToolName = tool.Name, ToolNamespace = tool.Namespace, FreeForm = tool.FreeForm is not null }
                : item;
        }
    }

    private static ToolCallPart Restored(string id, string argumentsJson, ToolDefinition tool) => tool.FreeForm is null
        ? new ToolCallPart(id, tool.Name, argumentsJson) { Namespace = tool.Namespace }
        : new ToolCallPart(id, tool.Name, argumentsJson) { Namespace = tool.Namespace, FreeFormInput = ToolCallPart.FreeFormInputOf(argumentsJson) };

    private static bool HasNamespacedOrFreeFormCalls(ChatRequest request) =>
        request.Messages.Any(m => m.Parts.Any(p => p is ToolCallPart { Namespace: not null } or ToolCallPart { FreeFormInput: not null }));

    private static bool Supported(HostedTool tool, ChatRequest request, UpstreamAbilities upstream, bool upstreamSearch)
    {
        string reason;
        if (tool.Kind == HostedToolKind.WebSearch)
        {
            // A cache-only search must not become a live one: only OpenAI has the cache it reads.
            if (upstreamSearch && (tool.Search?.CacheOnly != true || upstream.CachedWebSearch))
            {
                return true;
            }

            reason = upstreamSearch
                ? "searches OpenAI's cache only, which the upstream of this model does not have"
                : "needs native search (web search), which the upstream of this model does not have";
        }
        else if (tool.Extensions?.Keys.Any(k => k.StartsWith(upstream.ExtensionPrefix, StringComparison.Ordinal)) == true)
        {
            // The client's own definition, for an upstream of its dialect.
            return true;
        }
        else
        {
            reason = $"is run by the provider the client wrote it for, and the upstream of this model has no equivalent";
        }

        if (tool.Optional)
        {
            request.Adjustments.Dropped(tool.Param, $"the tool '{tool.ClientType}' {reason}");
            return false;
        }

        throw new GatewayException(GatewayError.InvalidRequest(
            $"The hosted tool '{tool.ClientType}' ({tool.Param}) is not available on the model '{request.Model}': it {reason}.", tool.Param));
    }

    private static ToolDefinition Flattened(ToolDefinition tool, string name)
    {
        var description = tool.Description;
        if (tool.FreeForm is { Grammar: { } grammar } form)
        {
            description = $"{description}\n\nThe input must match this {form.GrammarSyntax ?? "grammar"} grammar:\n{grammar}".TrimStart();
        }

        if (tool.NamespaceDescription is { Length: > 0 } group)
        {
            description = $"{description}\n\n(One of the {tool.Namespace} tools: {group})".TrimStart();
        }

        return tool with
        {
            Name = name,
            Description = description,
            Parameters = tool.FreeForm is null ? tool.Parameters : FreeFormParameters,
            Strict = tool.FreeForm is null ? tool.Strict : null,
            Namespace = null,
            NamespaceDescription = null,
            FreeForm = null,
        };
    }

    /// <summary>
    /// <c>namespace__name</c> (or the name alone), with characters outside <c>[A-Za-z0-9_-]</c> as
    /// '_' and a leading '_' where the first is not a letter or '_'; when that is too long or in
    /// <paramref name="used"/>, shortened to leave room for a hash of the original.
    /// </summary>
    public static string UpstreamName(string? ns, string name, IReadOnlySet<string>? used)
    {
        var joined = ns is null ? name : ns + NamespaceSeparator + name;
        var builder = new StringBuilder(joined.Length + 1);
        foreach (var c in joined)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '_' or '-' ? c : '_');
        }

        if (builder.Length == 0 || !(char.IsAsciiLetter(builder[0]) || builder[0] == '_'))
        {
            builder.Insert(0, '_');
        }

        var candidate = builder.ToString();
        if (candidate.Length <= MaxNameLength && used?.Contains(candidate) != true)
        {
            return candidate;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes((ns ?? string.Empty) + "\n" + name)))[..10];
        return candidate[..Math.Min(candidate.Length, MaxNameLength - hash.Length - 1)] + "_" + hash;
    }

    /// <summary>A name every dialect accepts as it is.</summary>
    public static bool IsValidName(string name) =>
        name.Length is > 0 and <= MaxNameLength
        && (char.IsAsciiLetter(name[0]) || name[0] == '_')
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-');

    private static ToolChoice Renamed(ToolChoice choice, List<ToolDefinition> functions, Dictionary<(string?, string), string> names)
    {
        string Rename(string name) =>
            functions.FirstOrDefault(t => t.Name == name) is { } tool && names.TryGetValue((tool.Namespace, tool.Name), out var upstream) ? upstream : name;

        return choice with
        {
            FunctionName = choice.FunctionName is { } function ? Rename(function) : null,
            Allowed = choice.Allowed?.Select(Rename).ToList(),
        };
    }
}
