using System.Diagnostics;
using Papers.Enrichment.Lab.Learning;
using Papers.Enrichment.Tagging;
using Papers.Training.Learning;

namespace Papers.Enrichment.Lab.Commands;

/// <summary>
/// <c>timesplit &lt;older labelled&gt;… --validate &lt;newer labelled&gt;[,…] [--no-base] [--seed n] [--cache file]</c>:
/// the Training service's retraining recipe (<see cref="TaggerFitter"/>) from files: fit on the
/// older papers (plus the base set, the shipped training papers, unless <c>--no-base</c>; papers
/// also in the validation files are left out of both), judge on the newer ones, per archive,
/// against description similarity alone.
/// </summary>
internal static class TimeSplitCommand
{
    private static readonly DateOnly Older = new(2000, 1, 1), Newer = new(2100, 1, 1);

    public static Task<int> RunAsync(string[] args)
    {
        var a = new CommandArgs(args, "no-base");
        if (a.Positional.Count == 0 || a.String("validate") is not { Length: > 0 } validate)
            throw new CommandLineException("timesplit needs older labelled files to fit on and --validate with newer ones.");
        var watch = Stopwatch.StartNew();
        Console.WriteLine("Reading labelled papers:");
        var held = LabelledPapers.Read(EnrichmentCommands.Inputs(validate.Split(',')), Console.Out);
        var heldIds = held.Select(p => p.Id).ToHashSet(StringComparer.Ordinal);
        var fit = LabelledPapers.Read(EnrichmentCommands.Inputs(a.Positional), Console.Out).Where(p => !heldIds.Contains(p.Id)).ToList();
        var baseSet = a.Has("no-base") ? [] : LabelledPapers.Read([EnrichmentCommands.TrainingFolder()], Console.Out);

        var all = fit.Concat(held).Concat(baseSet).ToList();
        var (vectors, _, descriptions, _, modelId) = EnrichmentCommands.EmbedForTagging(all, a.String("cache"));
        var harvest = all.Take(fit.Count + held.Count).Select((p, i) => new TrainingExample(p, vectors[i], i < fit.Count ? Older : Newer)).ToList();
        var extra = baseSet.Select((p, i) => new TrainingExample(p, vectors[fit.Count + held.Count + i], Older)).ToList();

        // Judged on exactly the --validate papers, however many there are.
        var split = new TimeSplit([.. Enumerable.Range(0, fit.Count)], [.. Enumerable.Range(fit.Count, held.Count)], "the --validate files held out");
        var seed = a.Int("seed", 1, min: 0);
        var fitted = new TaggerFitter { RefitOnAll = false, Seed = seed, Trainer = TrainCommand.Trainer(a, seed) }.Fit(modelId, harvest, extra, descriptions, Console.Out, split);
        var validation = harvest.Skip(fit.Count).ToList();
        var baseline = TaggerFitter.DescriptionBaseline(validation, descriptions);
        var m = fitted.Validation;
        Console.WriteLine();
        Console.WriteLine($"Fitted on {fit.Count} older papers + {fitted.BaseExamples} of the base set; judged on {held.Count} newer papers ({modelId}):");
        Console.WriteLine($"{"archive",-14} {"papers",6} {"top-1",6} {"top-3",6} {"shown",6}");
        foreach (var archive in m.Archives)
            Console.WriteLine($"{archive.Archive,-14} {archive.Papers,6} {archive.Top1,6:P1} {archive.Top3,6:P1} {archive.PrimaryShown,6:P1}");
        Console.WriteLine($"{"all",-14} {m.Papers,6} {m.Top1,6:P1} {m.Top3,6:P1} {m.PrimaryShown,6:P1}   macro F1 {m.MacroF1:F3}, micro F1 {m.MicroF1:F3}, {m.TagsPerPaper:F2} tags a paper, ECE {m.CalibrationError:F3}");
        Console.WriteLine($"{"descriptions",-14} {baseline.Papers,6} {baseline.Top1,6:P1} {baseline.Top3,6:P1} {baseline.PrimaryShown,6:P1}   macro F1 {baseline.MacroF1:F3} (no training; 1 tag)");
        Console.WriteLine("Most frequent primaries: top-1, and what the wrong ones were taken for:");
        var predicted = validation.Select(e => fitted.Validated.Predict(e.Vector).Ranked[0]).ToList();
        foreach (var g in Enumerable.Range(0, validation.Count).GroupBy(i => validation[i].Paper.Primary).OrderByDescending(g => g.Count()).Take(8))
        {
            var wrong = g.Where(i => !Categories.Matches(predicted[i], g.Key)).GroupBy(i => predicted[i]).OrderByDescending(w => w.Count()).Take(4);
            Console.WriteLine($"  {g.Key,-10} {g.Count(),4} {(double)(g.Count() - wrong.Sum(w => w.Count())) / g.Count(),6:P1}  {string.Join(", ", wrong.Select(w => $"{w.Key} {w.Count()}"))}");
        }
        Console.WriteLine($"('shown': the gold primary is among the tags shown. Done in {watch.Elapsed.TotalSeconds:F0} s.)");
        return Task.FromResult(0);
    }
}
