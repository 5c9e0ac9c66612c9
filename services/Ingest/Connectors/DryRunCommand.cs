using System.Globalization;

namespace Papers.Ingest.Connectors;

/// <summary>
/// <c>parse &lt;file&gt; [--format oai|atom|hf|abs|jsonl|auto] [--reference-date yyyy-MM-dd]</c>:
/// parses a saved response or file in any supported format and prints the normalised papers as
/// JSONL on stdout, problems on stderr. Nothing is published or stored: it is a dry run for
/// checking what Ingest would make of an input.
/// Exit codes: 0 all parsed, 1 some input could not be parsed, 2 usage error.
/// </summary>
public static class DryRunCommand
{
    public const string Usage =
        "usage: parse <file> [--format oai|atom|hf|abs|jsonl|auto] [--reference-date yyyy-MM-dd]";

    private static readonly string[] Formats = ["oai", "atom", "hf", "abs", "jsonl", "auto"];

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (!TryReadArguments(args, out var path, out var format, out var referenceDate, out var error))
        {
            await stderr.WriteLineAsync(error);
            await stderr.WriteLineAsync(Usage);
            return 2;
        }

        if (!File.Exists(path))
        {
            await stderr.WriteLineAsync($"{path}: file not found");
            return 2;
        }

        var content = AbsFileParser.Decode(await File.ReadAllBytesAsync(path)).TrimStart('\uFEFF');
        if (RecordedExchange.TryRead(content, out var exchange))
            content = exchange.Body;
        if (format == "auto")
            format = Detect(path, content);

        ParseResult result;
        try
        {
            result = Parse(format, content, path, referenceDate);
        }
        catch (ConnectorException ex)
        {
            await stderr.WriteLineAsync(ex.Message);
            return 1;
        }

        foreach (var paper in result.Papers)
            await stdout.WriteLineAsync(PaperJson.ToJsonLine(paper));
        foreach (var problem in result.Problems)
            await stderr.WriteLineAsync(problem.ToString());
        await stderr.WriteLineAsync(
            $"{path}: {result.Papers.Count} papers, {result.Problems.Count} problems ({format})");
        return result.HasProblems ? 1 : 0;
    }

    /// <summary>Guesses the format from the extension and the first bytes.</summary>
    public static string Detect(string path, string content)
    {
        if (path.EndsWith(".abs", StringComparison.OrdinalIgnoreCase))
            return "abs";
        var head = content.TrimStart();
        if (head.StartsWith('<'))
        {
            var start = head[..Math.Min(head.Length, 2000)];
            return start.Contains("<feed", StringComparison.Ordinal) ? "atom" : "oai";
        }

        if (head.StartsWith('['))
        {
            var start = head[..Math.Min(head.Length, 400)];
            return start.Contains("\"paper\"", StringComparison.Ordinal) ? "hf" : "jsonl";
        }

        if (head.StartsWith("---", StringComparison.Ordinal) && head.Contains("\n\\\\", StringComparison.Ordinal))
            return "abs";
        return "jsonl";
    }

    private static ParseResult Parse(string format, string content, string path, DateOnly? referenceDate) =>
        format switch
        {
            "oai" => new ParseResult(OaiPmhParser.Parse(content, path).Papers, []),
            "atom" => new ParseResult(ArxivAtomParser.Parse(content, path).Papers, []),
            "hf" => HfDailyPapersParser.Parse(content, path),
            "abs" => new ParseResult([AbsFileParser.Parse(content, path)], []),
            _ => JsonlPaperParser.Parse(content, path, new JsonlParseOptions(referenceDate)),
        };

    private static bool TryReadArguments(string[] args, out string path, out string format, out DateOnly? referenceDate, out string error)
    {
        path = string.Empty;
        format = "auto";
        referenceDate = null;
        error = string.Empty;
        if (args.Length < 2 || args[0] != "parse")
        {
            error = args.Length == 0 ? "no command given" : args[0] != "parse" ? $"unknown command '{args[0]}'" : "no file given";
            return false;
        }

        path = args[1];
        for (var i = 2; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--format" when value is not null && Formats.Contains(value):
                    format = value;
                    i++;
                    break;
                case "--reference-date" when DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date):
                    referenceDate = date;
                    i++;
                    break;
                case "--format":
                    error = $"--format needs one of {string.Join('|', Formats)}";
                    return false;
                case "--reference-date":
                    error = "--reference-date needs a date as yyyy-MM-dd";
                    return false;
                default:
                    error = $"unknown argument '{args[i]}'";
                    return false;
            }
        }

        return true;
    }
}
