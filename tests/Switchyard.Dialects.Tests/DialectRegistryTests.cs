using System.Text.RegularExpressions;

namespace Switchyard.Dialects.Tests;

/// <summary>
/// A dialect is one folder: outside its folder, only the registry reaches its code. Everything else
/// (the host's pipeline, forwarders and provider types, and the other dialects) meets a dialect
/// through its capabilities and the neutral model.
/// </summary>
public sealed partial class DialectRegistryTests
{
    /// <summary>Folders of the dialects library that hold what every dialect shares, not a dialect.</summary>
    private static readonly string[] SharedFolders = ["Canonical", "Framing", "Json", "Models", "Sse", "bin", "obj"];

    public static TheoryData<string> Families() => new(FamilyFolders());

    /// <summary>
    /// A dialect's types live in its namespace (<c>Switchyard.Dialects.Anthropic</c>), so any use of
    /// them names that namespace: as <c>Dialects.Anthropic</c> from the host, or as the bare segment
    /// <c>Anthropic</c> from a sibling dialect. Words in comments and strings (a vendor's model id,
    /// a provider type's name) are not uses of the code and do not count.
    /// </summary>
    [Theory]
    [MemberData(nameof(Families))]
    public void Only_the_registry_reaches_a_dialect_outside_its_folder(string family)
    {
        var root = RepoRoot();
        var folder = Path.Combine(root, "src", "Switchyard.Dialects", family) + Path.DirectorySeparatorChar;
        var library = Path.Combine(root, "src", "Switchyard.Dialects") + Path.DirectorySeparatorChar;

        var reaching = SourceFiles(Path.Combine(root, "src"))
            .Where(f => !f.StartsWith(folder, StringComparison.Ordinal))
            .Where(f => Reaches(Code(File.ReadAllText(f)), family, sibling: f.StartsWith(library, StringComparison.Ordinal)))
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .ToList();

        Assert.Equal(["src/Switchyard.Dialects/DialectRegistry.cs"], reaching);
    }

    [Fact]
    public void Finds_the_dialect_families()
    {
        Assert.Superset(new HashSet<string> { "Anthropic", "Bedrock", "Gemini", "OpenAI" }, FamilyFolders().ToHashSet());
    }

    [Theory]
    [InlineData("using Switchyard.Dialects.Gemini;", false, true)]
    [InlineData("var x = Switchyard.Dialects.Gemini.GeminiApi.Instance;", false, true)]
    [InlineData("Gemini.GenerateContentMapping.ExtensionPrefix", true, true)]
    [InlineData("namespace Switchyard.Providers.Vertex; var name = \"gemini\";", false, false)]
    [InlineData("// Gemini.GenerateContentMapping in a comment", true, false)]
    [InlineData("private static bool IsGeminiModel(string id) => id.StartsWith(\"Gemini.\");", true, false)]
    public void Tells_a_use_of_the_code_from_a_mention(string code, bool sibling, bool reaches)
    {
        Assert.Equal(reaches, Reaches(Code(code), "Gemini", sibling));
    }

    private static bool Reaches(string code, string family, bool sibling) =>
        code.Contains("Dialects." + family, StringComparison.Ordinal)
        || (sibling && Identifiers().Matches(code).Any(m => m.Value == family));

    private static IEnumerable<string> FamilyFolders() =>
        Directory.GetDirectories(Path.Combine(RepoRoot(), "src", "Switchyard.Dialects"))
            .Select(f => Path.GetFileName(f))
            .Where(f => !SharedFolders.Contains(f))
            .Order(StringComparer.Ordinal);

    /// <summary>The source without its comments and string literals.</summary>
    private static string Code(string source) => StringLiterals().Replace(Comments().Replace(source, " "), "\"\"");

    private static IEnumerable<string> SourceFiles(string folder) =>
        Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal));

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
