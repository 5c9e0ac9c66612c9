using System.Diagnostics;
using Papers.Enrichment.Lab.Learning;
using Papers.Enrichment.Tagging;
using Papers.Enrichment.Tagging.Learning;
using Papers.Training.Learning;

namespace Papers.Enrichment.Lab.Commands;

internal static class TrainCommand
{
    /// <summary>The tagger's trainer with its defaults, or the knobs given (--l2, --balance, --primary-mass, --epochs, --min-tag-precision).</summary>
    internal static CategoryTrainer Trainer(CommandArgs a, int seed)
    {
        var defaults = new CategoryTrainer();
        return new CategoryTrainer
        {
            Seed = seed,
            BalancePower = Float(a, "balance") ?? defaults.BalancePower,
            PrimaryMass = Float(a, "primary-mass") ?? defaults.PrimaryMass,
            MinTagPrecision = Float(a, "min-tag-precision") ?? defaults.MinTagPrecision,
            Softmax = new SoftmaxTrainer
            {
                Seed = seed,
                L2 = Float(a, "l2") ?? defaults.Softmax.L2,
                Epochs = a.Int("epochs", defaults.Softmax.Epochs),
            },
        };
    }

    private static float? Float(CommandArgs a, string name) =>
        a.String(name) is not { } v ? null
        : float.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out var f) && f >= 0 ? f
        : throw new CommandLineException($"--{name} must be a non-negative number; got '{v}'.");

    public static Task<int> RunAsync(string[] args)
    {
        var a = new CommandArgs(args);
        var seed = a.Int("seed", 1, min: 0);
        var data = a.String("data") ?? EnrichmentCommands.TrainingFolder();
        var output = a.String("out") ?? EnrichmentCommands.ShippedModelPath();
        var watch = Stopwatch.StartNew();

        Console.WriteLine("Reading labelled papers:");
        var files = Directory.Exists(data) ? Directory.GetFiles(data, "*.jsonl").Order(StringComparer.Ordinal).ToList() : [data];
        var papers = LabelledPapers.Read(files, Console.Out);
        var (vectors, classes, descriptions, sims, modelId) = EnrichmentCommands.EmbedForTagging(papers, a.String("cache"));

        Console.WriteLine($"Fitting on {papers.Count} papers ({papers.SelectMany(p => p.Categories).Distinct().Count()} categories):");
        var trainer = Trainer(a, seed) with { InnerFolds = 5 };
        var classifier = trainer.Fit(classes, new DenseFeatures(vectors), sims, papers, Enumerable.Range(0, papers.Count).ToList(), Console.Out);
        var descriptionTopic = TopicCalibration.Description(papers, classes, sims);
        var exampleTopic = TopicCalibration.Examples(papers, classes, vectors, descriptions, seed);
        Console.WriteLine($"Custom topics: description only σ({descriptionTopic.A:F2}·cos{descriptionTopic.B:+0.00;-0.00}), with examples σ({exampleTopic.A:F2}·cos{exampleTopic.B:+0.00;-0.00})");

        var model = new TaggerModel(modelId, classifier, descriptions, papers.Select(p => p.Id).ToHashSet(StringComparer.Ordinal), descriptionTopic, exampleTopic);
        using (var stream = File.Create(output))
            model.Save(stream, $"{papers.Count} papers from {string.Join(", ", files.Select(Path.GetFileName))}; seed {seed}, " +
                $"L2 {trainer.Softmax.L2}, balance {trainer.BalancePower}, primary mass {trainer.PrimaryMass}, {trainer.Softmax.Epochs} epochs");
        Console.WriteLine($"{classifier.Active.Length} categories learned from examples, {classes.Count - classifier.Active.Length} from descriptions only; " +
            $"wrote {output} ({new FileInfo(output).Length / 1024} KB) in {watch.Elapsed.TotalSeconds:F0} s. Rebuild to embed it.");
        return Task.FromResult(0);
    }
}
