using System.Text.RegularExpressions;
using Papers.Enrichment.Lab.Learning;
using Papers.Training.Learning;

namespace Papers.Enrichment.Lab.Commands;

/// <summary>
/// <c>convert &lt;inputs&gt;… --out file.jsonl [--ids FROM..TO]</c>: labelled data in any format
/// <see cref="LabelledPapers"/> reads, to compact JSON Lines; <c>--ids</c> keeps the papers
/// submitted from FROM to TO (arXiv ids, either end may be left empty), to cut a time split
/// out of one snapshot.
/// </summary>
internal static partial class ConvertCommand
{
    public static int Run(string[] args)
    {
        var a = new CommandArgs(args);
        var output = a.String("out") ?? throw new CommandLineException("convert needs --out file.jsonl.");
        if (a.Positional.Count == 0)
            throw new CommandLineException("convert needs at least one input.");
        var papers = LabelledPapers.Read(EnrichmentCommands.Inputs(a.Positional), Console.Out);
        if (a.String("ids") is { } range)
        {
            var ends = range.Split("..");
            if (ends.Length != 2 || ends.Any(e => e.Length > 0 && SubmissionOrder(e) is null))
                throw new CommandLineException($"--ids must be FROM..TO with arXiv ids (0704.0001..0704.1000, ..0704.1000); got '{range}'.");
            string? from = SubmissionOrder(ends[0]), to = SubmissionOrder(ends[1]);
            papers = papers.Where(p => SubmissionOrder(p.Id) is { } key
                && (from is null || string.CompareOrdinal(key, from) >= 0) && (to is null || string.CompareOrdinal(key, to) <= 0)).ToList();
        }
        using (var writer = new StreamWriter(output))
            LabelledPapers.Write(papers, writer);
        Console.WriteLine($"{papers.Count} papers written to {output}");
        return 0;
    }

    /// <summary>
    /// A key that sorts arXiv ids by submission: year, month, then number, for both the old
    /// (<c>hep-th/9108002</c>, 1991–2007) and the new (<c>0704.0001</c>, <c>2301.12345</c>) scheme; null for another id.
    /// </summary>
    internal static string? SubmissionOrder(string id)
    {
        var m = ArxivId().Match(id);
        if (!m.Success)
            return null;
        var yy = int.Parse(m.Groups["yy"].Value, System.Globalization.CultureInfo.InvariantCulture);
        var year = yy >= 91 ? 1900 + yy : 2000 + yy;
        return $"{year}{m.Groups["mm"].Value}{m.Groups["n"].Value.PadLeft(7, '0')}";
    }

    [GeneratedRegex(@"^(?:[a-z-]+(?:\.[A-Z]{2})?/)?(?<yy>\d\d)(?<mm>\d\d)\.?(?<n>\d{3,5})(?:v\d+)?$")]
    private static partial Regex ArxivId();
}
