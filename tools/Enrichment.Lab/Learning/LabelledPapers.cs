using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using Papers.Training.Learning;

namespace Papers.Enrichment.Lab.Learning;

/// <summary>
/// Reads labelled papers from JSON Lines (<c>id</c>, <c>title</c>, <c>summary</c> or
/// <c>abstract</c>, <c>categories</c> as a list or a space-separated string, primary first, or
/// <c>primary_category</c>), arXiv <c>.abs</c> files, Kaggle-snapshot CSV, or folders of those
/// (<c>id,title,abstract,categories</c> columns). Papers without a known category are skipped;
/// a paper seen twice (same id) is read once.
/// </summary>
public static partial class LabelledPapers
{
    public static List<LabelledPaper> Read(IEnumerable<string> paths, TextWriter? log = null)
    {
        var papers = new List<LabelledPaper>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            var before = papers.Count;
            int duplicates = 0, unusable = 0;
            foreach (var paper in ReadOne(path))
            {
                if (paper is null || paper.Categories.Count == 0 || string.IsNullOrWhiteSpace(paper.Title + paper.Abstract))
                    unusable++;
                else if (paper.Id.Length > 0 && !seen.Add(paper.Id))
                    duplicates++;
                else
                    papers.Add(paper);
            }
            var skipped = string.Join(", ", new[] { (duplicates, "duplicate ids"), (unusable, "without a known category or text") }.Where(s => s.Item1 > 0).Select(s => $"{s.Item1} {s.Item2}"));
            log?.WriteLine($"  {path}: {papers.Count - before} papers" + (skipped.Length > 0 ? $" (skipped: {skipped})" : ""));
        }
        return papers;
    }

    private static IEnumerable<LabelledPaper?> ReadOne(string path)
    {
        if (Directory.Exists(path))
            return Directory.EnumerateFiles(path, "*", SearchOption.AllDirectories)
                .Where(f => Path.GetExtension(f).ToLowerInvariant() is ".abs" or ".jsonl" or ".csv")
                .Order(StringComparer.Ordinal)
                .SelectMany(ReadOne);
        if (!File.Exists(path))
            throw new FileNotFoundException($"No labelled data at '{path}'.", path);
        return Path.GetExtension(path).ToLowerInvariant() switch
        {
            ".abs" => [ParseAbs(File.ReadAllText(path))],
            ".csv" => ReadCsv(path),
            _ => File.ReadLines(path).Where(l => !string.IsNullOrWhiteSpace(l)).Select(ParseJson),
        };
    }

    internal static LabelledPaper? ParseJson(string line)
    {
        using var doc = JsonDocument.Parse(line);
        var root = doc.RootElement;
        var id = Str(root, "id") ?? "";
        var title = Str(root, "title") ?? "";
        var summary = Str(root, "summary") ?? Str(root, "abstract") ?? "";
        var categories = new List<string>();
        if (root.TryGetProperty("categories", out var cats))
        {
            if (cats.ValueKind == JsonValueKind.Array)
                categories.AddRange(cats.EnumerateArray().Where(c => c.ValueKind == JsonValueKind.String).Select(c => c.GetString()!));
            else if (cats.ValueKind == JsonValueKind.String)
                categories.AddRange(cats.GetString()!.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        }
        if (Str(root, "primary_category") is { Length: > 0 } primary)
            categories.Insert(0, primary);
        return Make(id, title, summary, categories);
    }

    /// <summary>An arXiv <c>.abs</c> record: <c>\\</c>, header lines, <c>\\</c>, the abstract, <c>\\</c>.</summary>
    internal static LabelledPaper? ParseAbs(string text)
    {
        var lines = text.Replace("\r", "", StringComparison.Ordinal).Split('\n');
        var separators = lines.Select((l, i) => (l, i)).Where(x => x.l.TrimEnd() == @"\\").Select(x => x.i).ToList();
        if (separators.Count < 3)
            return null;
        var header = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? id = null;
        string? key = null;
        foreach (var line in lines[(separators[0] + 1)..separators[1]])
        {
            if (line.StartsWith("arXiv:", StringComparison.Ordinal) || line.StartsWith("Paper:", StringComparison.Ordinal))
                id = line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
            else if (line.Length > 0 && char.IsWhiteSpace(line[0]) && key is not null)
                header[key] += " " + line.Trim();
            else if (line.IndexOf(':', StringComparison.Ordinal) is > 0 and var colon)
                header[key = line[..colon].Trim()] = line[(colon + 1)..].Trim();
        }
        var summary = string.Join('\n', lines[(separators[1] + 1)..separators[^1]]);
        return id is null ? null : Make(id, header.GetValueOrDefault("Title") ?? "", summary,
            (header.GetValueOrDefault("Categories") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries));
    }

    private static IEnumerable<LabelledPaper?> ReadCsv(string path)
    {
        using var reader = new StreamReader(path);
        string[]? columns = null;
        foreach (var row in CsvRows(reader))
        {
            if (columns is null)
            {
                columns = row;
                continue;
            }
            string? Col(string name) => Array.IndexOf(columns, name) is >= 0 and var i && i < row.Length ? row[i] : null;
            yield return Make(KaggleId(Col("id") ?? ""), Col("title") ?? Col("titles") ?? "", Col("abstract") ?? Col("summaries") ?? "",
                (Col("categories") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries));
        }
    }

    /// <summary>The Kaggle snapshot CSV read ids as numbers: <c>704.001</c> is <c>0704.0010</c>.</summary>
    internal static string KaggleId(string id)
    {
        if (KaggleNumericId().Match(id) is not { Success: true } m)
            return id;
        return m.Groups[1].Value.PadLeft(4, '0') + "." + m.Groups[2].Value.PadRight(4, '0');
    }

    internal static IEnumerable<string[]> CsvRows(TextReader reader)
    {
        var fields = new List<string>();
        var field = new StringBuilder();
        var quoted = false;
        int c;
        while ((c = reader.Read()) >= 0)
        {
            var ch = (char)c;
            if (quoted)
            {
                if (ch == '"')
                {
                    if (reader.Peek() == '"')
                        field.Append((char)reader.Read());
                    else
                        quoted = false;
                }
                else
                    field.Append(ch);
            }
            else if (ch == '"')
                quoted = true;
            else if (ch == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else if (ch == '\n')
            {
                fields.Add(field.ToString().TrimEnd('\r'));
                field.Clear();
                yield return [.. fields];
                fields.Clear();
            }
            else
                field.Append(ch);
        }
        if (field.Length > 0 || fields.Count > 0)
        {
            fields.Add(field.ToString());
            yield return [.. fields];
        }
    }

    private static LabelledPaper Make(string id, string title, string summary, IEnumerable<string> categories) =>
        new(VersionSuffix().Replace(id.Trim(), ""), Whitespace().Replace(title, " ").Trim(), Whitespace().Replace(summary, " ").Trim(),
            Tagging.Categories.Normalize(categories));

    private static string? Str(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null;

    /// <summary>Writes papers as compact JSON Lines, the format <see cref="Read"/> takes.</summary>
    public static void Write(IEnumerable<LabelledPaper> papers, TextWriter writer)
    {
        foreach (var p in papers)
            writer.WriteLine(JsonSerializer.Serialize(new { id = p.Id, title = p.Title, summary = p.Abstract, categories = p.Categories }, Compact));
    }

    private static readonly JsonSerializerOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    [GeneratedRegex(@"^(\d{3,4})\.(\d{1,5})$")]
    private static partial Regex KaggleNumericId();

    [GeneratedRegex(@"v\d+$")]
    private static partial Regex VersionSuffix();

    [GeneratedRegex(@"\s+")]
    private static partial Regex Whitespace();
}
