using System.Reflection;
using System.Text.RegularExpressions;
using Switchyard.Storage;

namespace Switchyard.Tests.Hosting;

/// <summary>
/// Layers point one way. <c>Limits</c> applies limits over the stores <c>Storage</c> owns, so
/// <c>Storage</c> names nothing of <c>Limits</c>; the HTTP surfaces change and read keys, teams and
/// the ledger through <c>Admin/AdminServices</c>, never through a store of their own. The types of a
/// layer are read from the compiled gateway, so a type added later is covered too.
/// </summary>
public sealed partial class LayerTests
{
    private static readonly Assembly Gateway = typeof(Stores).Assembly;

    [Fact]
    public void Storage_names_no_type_of_limits()
    {
        var limits = TypesIn("Switchyard.Limits");

        var reaching = Uses("Storage", limits, "Switchyard.Limits");

        Assert.NotEmpty(limits);
        Assert.Empty(reaching);
    }

    [Fact]
    public void Surfaces_reach_no_store_but_through_the_admin_services()
    {
        var stores = Gateway.GetTypes()
            .Where(t => t.Namespace == "Switchyard.Storage" && (t.IsInterface || t == typeof(Stores)))
            .Select(t => t.Name)
            .ToHashSet(StringComparer.Ordinal);

        var reaching = Uses("Surfaces", stores, ns: null);

        Assert.Contains("IUsageLedger", stores);
        Assert.Empty(reaching);
    }

    [Theory]
    [InlineData("var x = new KeyLimiter(store);", true)]
    [InlineData("var x = new Switchyard.Limits.KeyLimiter(store);", true)]
    [InlineData("using Switchyard.Limits;", true)]
    [InlineData("// the KeyLimiter admits it", false)]
    [InlineData("var text = \"KeyLimiter\";", false)]
    [InlineData("var limiter = KeyLimiters.First();", false)]
    [InlineData("public IRateLimitStore Limits { get; }", false)]
    public void Tells_a_use_of_a_type_from_a_mention(string code, bool uses)
    {
        Assert.Equal(uses, Names(code, new HashSet<string>(StringComparer.Ordinal) { "KeyLimiter" }, "Switchyard.Limits").Any());
    }

    /// <summary>The simple names of the gateway's types in <paramref name="ns"/>, nested ones included.</summary>
    private static HashSet<string> TypesIn(string ns)
    {
        var names = Gateway.GetTypes()
            .Where(t => t.Namespace == ns && !t.IsDefined(typeof(System.Runtime.CompilerServices.CompilerGeneratedAttribute)) && !t.Name.Contains('<', StringComparison.Ordinal))
            .Select(t => t.Name.Split('`')[0])
            .ToHashSet(StringComparer.Ordinal);
        return names;
    }

    /// <summary>Each file of <c>src/Switchyard/{folder}</c> that names one of <paramref name="types"/> or the namespace <paramref name="ns"/>, with what it names.</summary>
    private static List<string> Uses(string folder, IReadOnlySet<string> types, string? ns) =>
        Directory.EnumerateFiles(Path.Combine(RepoRoot(), "src", "Switchyard", folder), "*.cs", SearchOption.AllDirectories)
            .Select(f => (File: Path.GetRelativePath(RepoRoot(), f), Names: Names(File.ReadAllText(f), types, ns).ToList()))
            .Where(f => f.Names.Count > 0)
            .Select(f => $"{f.File}: {string.Join(", ", f.Names)}")
            .ToList();

    /// <summary>The identifiers of <paramref name="source"/>'s code (not its comments or strings) that are in <paramref name="types"/>, and <paramref name="ns"/> if it names that namespace.</summary>
    private static IEnumerable<string> Names(string source, IReadOnlySet<string> types, string? ns)
    {
        var code = StringLiterals().Replace(Comments().Replace(source, " "), "\"\"");
        var names = Identifiers().Matches(code).Select(m => m.Value).Where(types.Contains);
        return (ns is not null && code.Contains(ns, StringComparison.Ordinal) ? names.Append(ns) : names).Distinct(StringComparer.Ordinal);
    }

    private static string RepoRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Switchyard.slnx")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("The repository root (Switchyard.slnx) is not above the test binaries.");
    }

    [GeneratedRegex(@"[A-Za-z_][A-Za-z0-9_]*")]
    private static partial Regex Identifiers();

    [GeneratedRegex(@"//[^\n]*|/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex Comments();

    // Regular, verbatim and raw literals alike: a quote, then anything up to the next quote on the line.
    [GeneratedRegex("\"(?:[^\"\\\\\\n]|\\\\.)*\"")]
    private static partial Regex StringLiterals();
}
