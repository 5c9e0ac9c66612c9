using Papers.Ingest.Parsing;

namespace Papers.Ingest.Tests;

/// <summary>Reads the recorded and hand-made inputs copied beside the test assembly.</summary>
internal static class Fixture
{
    public static string Root => Path.Combine(AppContext.BaseDirectory, "Fixtures");

    public static string PathOf(string relative) => Path.Combine(Root, relative);

    public static string Read(string relative) => AbsFileParser.Decode(File.ReadAllBytes(PathOf(relative)));

    /// <summary>The Atom body of a 2026 recording (<c>{url, status_code, body}</c>) or a raw 2016 XML file.</summary>
    public static string AtomBody(string relative)
    {
        var content = Read(relative);
        return RecordedExchange.TryRead(content, out var exchange) ? exchange.Body : content;
    }

    /// <summary>Every input file (not the SOURCES.md notes), relative to the fixture root.</summary>
    public static IEnumerable<string> AllInputs() =>
        Directory.EnumerateFiles(Root, "*", SearchOption.AllDirectories)
            .Where(f => Path.GetFileName(f) != "SOURCES.md")
            .Select(f => Path.GetRelativePath(Root, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);
}
