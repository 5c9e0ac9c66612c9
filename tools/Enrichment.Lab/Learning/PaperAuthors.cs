using System.Text.Json;
using System.Text.RegularExpressions;
using Papers.Api.Browse;

namespace Papers.Enrichment.Lab.Learning;

/// <summary>
/// Authors of labelled papers by arXiv id, from the sources the lab's compact files were converted
/// from (those keep no authors): listing JSON Lines with an <c>authors</c> list, Kaggle-snapshot CSV
/// with an <c>authors</c> column ("A, B and C"), arXiv <c>.abs</c> files with an <c>Authors:</c>
/// header; a folder is read whole. Each name is keyed as the Api matches authors
/// (<see cref="FacetIndex.AuthorKey"/>: case and spacing ignored). Sources without authors (the
/// astro-ph listings) add nothing.
/// </summary>
internal static partial class PaperAuthors
{
    public static Dictionary<string, string[]> Read(IEnumerable<string> paths)
    {
        var authors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        foreach (var path in paths)
            foreach (var (id, names) in ReadOne(path))
                if (names.Length > 0)
                    authors.TryAdd(id, [.. names.Select(FacetIndex.AuthorKey).Where(n => n.Length > 0).Distinct(StringComparer.Ordinal)]);
        return authors;
    }

    /// <summary>How many authors two papers share (0 when either has none known).</summary>
    public static int Shared(string[]? a, string[]? b) => a is null || b is null ? 0 : a.Count(b.Contains);

    private static IEnumerable<(string Id, string[] Names)> ReadOne(string path)
    {
        if (Directory.Exists(path))
            return Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                .Where(f => Path.GetExtension(f).ToLowerInvariant() is ".abs" or ".jsonl" or ".csv")
                .Order(StringComparer.Ordinal).SelectMany(ReadOne);
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".abs" => FromAbs(File.ReadAllText(path)),
            ".csv" => FromCsv(path),
            _ => File.ReadLines(path).Where(l => !string.IsNullOrWhiteSpace(l)).Select(FromJson).OfType<(string, string[])>(),
        };
    }

    private static (string, string[])? FromJson(string line)
    {
        using var doc = JsonDocument.Parse(line);
        var root = doc.RootElement;
        return root.TryGetProperty("id", out var id) && root.TryGetProperty("authors", out var list) && list.ValueKind == JsonValueKind.Array
            ? (id.GetString()!, [.. list.EnumerateArray().Select(a => a.GetString() ?? "")])
            : null;
    }

    private static IEnumerable<(string, string[])> FromCsv(string path)
    {
        using var reader = new StreamReader(path);
        string[]? columns = null;
        foreach (var row in LabelledPapers.CsvRows(reader))
        {
            if (columns is null)
            {
                columns = row;
                continue;
            }
            int id = Array.IndexOf(columns, "id"), names = Array.IndexOf(columns, "authors");
            if (id >= 0 && names >= 0 && names < row.Length)
                yield return (LabelledPapers.KaggleId(row[id]), SplitNames(row[names]));
        }
    }

    private static IEnumerable<(string, string[])> FromAbs(string text)
    {
        var id = AbsId().Match(text);
        var names = AbsAuthors().Match(text);
        if (id.Success && names.Success)
            yield return (id.Groups[1].Value, SplitNames(names.Groups[1].Value));
    }

    /// <summary>"A, B and C" (affiliations in parentheses dropped).</summary>
    private static string[] SplitNames(string names) =>
        NameSeparator().Split(Parenthesised().Replace(names, " ")).Select(n => n.Trim()).Where(n => n.Length > 0).ToArray();

    [GeneratedRegex(@"^(?:arXiv|Paper):\s*(\S+)", RegexOptions.Multiline)]
    private static partial Regex AbsId();

    [GeneratedRegex(@"^Authors?:(.*?)(?=^[A-Za-z-]+:|^\\\\)", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex AbsAuthors();

    [GeneratedRegex(@",|\band\b|&")]
    private static partial Regex NameSeparator();

    [GeneratedRegex(@"\([^)]*\)")]
    private static partial Regex Parenthesised();
}
