using System.Globalization;
using Papers.Ingest.Parsing;

namespace Papers.Ingest.Commands;

/// <summary>
/// <c>parse &lt;file&gt; [--format oai|atom|feed|hf|abs|jsonl|auto] [--reference-date yyyy-MM-dd]</c>:
/// parses a saved response or file in any supported format and prints the normalised papers as
/// JSONL on stdout, problems and a summary ("11 of 12 parsed, 1 failed: &lt;id&gt;: &lt;reason&gt;") on
/// stderr. Nothing is published or stored: it is a dry run for checking what Ingest would make of
/// an input. Exit codes: 0 all parsed, 1 some or all of the input could not be parsed (an empty
/// file, an unrecognised format, a recorded error answer), 2 usage error.
/// </summary>
public static class ParseCommand
{
    public const string Usage =
        "usage: parse <file> [--format oai|atom|feed|hf|abs|jsonl|auto] [--reference-date yyyy-MM-dd]";

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

        SourceFile file;
        try
        {
            file = await SourceFiles.ReadAsync(path, format, referenceDate);
        }
        catch (ConnectorException ex)
        {
            await stderr.WriteLineAsync(ex.Message);
            return 1;
        }

        var result = file.Result;
        foreach (var paper in result.Papers)
            await stdout.WriteLineAsync(PaperJson.ToJsonLine(paper));
        foreach (var problem in result.Problems)
            await stderr.WriteLineAsync(problem.ToString());
        await stderr.WriteLineAsync($"{path} ({file.Format}): {result.Summary()}");
        return result.HasProblems ? 1 : 0;
    }

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
                case "--format" when value is not null && SourceFiles.Formats.Contains(value):
                    format = value;
                    i++;
                    break;
                case "--reference-date" when DateOnly.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date):
                    referenceDate = date;
                    i++;
                    break;
                case "--format":
                    error = $"--format needs one of {string.Join('|', SourceFiles.Formats)}";
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
