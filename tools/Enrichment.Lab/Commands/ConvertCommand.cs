using Papers.Enrichment.Lab.Learning;
using Papers.Training.Learning;

namespace Papers.Enrichment.Lab.Commands;

/// <summary><c>convert &lt;inputs&gt;… --out file.jsonl</c>: labelled data in any format <see cref="LabelledPapers"/> reads, to compact JSON Lines.</summary>
internal static class ConvertCommand
{
    public static int Run(string[] args)
    {
        var a = new CommandArgs(args);
        var output = a.String("out") ?? throw new CommandLineException("convert needs --out file.jsonl.");
        if (a.Positional.Count == 0)
            throw new CommandLineException("convert needs at least one input.");
        var papers = LabelledPapers.Read(EnrichmentCommands.Inputs(a.Positional), Console.Out);
        using (var writer = new StreamWriter(output))
            LabelledPapers.Write(papers, writer);
        Console.WriteLine($"{papers.Count} papers written to {output}");
        return 0;
    }
}
