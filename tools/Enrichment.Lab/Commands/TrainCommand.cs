using System.Diagnostics;
using Papers.Enrichment.Lab.Learning;
using Papers.Enrichment.Tagging;
using Papers.Enrichment.Tagging.Learning;
using Papers.Training.Learning;

namespace Papers.Enrichment.Lab.Commands;

internal static class TrainCommand
{
    /// <summary>The tagger's trainer with its defaults, or the knobs given (--l2, --balance, --primary-mass, --epochs, --min-tag-precision, --description-prior).</summary>
    internal static CategoryTrainer Trainer(CommandArgs a, int seed)
    {
        var defaults = new CategoryTrainer();
        return new CategoryTrainer
        {
            Seed = seed,
            BalancePower = Float(a, "balance") ?? defaults.BalancePower,
            PrimaryMass = Float(a, "primary-mass") ?? defaults.PrimaryMass,
            MinTagPrecision = Float(a, "min-tag-precision") ?? defaults.MinTagPrecision,
            DescriptionPrior = Float(a, "description-prior") ?? defaults.DescriptionPrior,
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
        var (vectors, classes, descriptions, _, modelId) = EnrichmentCommands.EmbedForTagging(papers, a.String("cache"));

        // The Training service's recipe (at most 3 tags, the coverage learned, low-confidence
        // categories withheld), so the built-in model behaves as a retrained one does.
        Console.WriteLine($"Fitting on {papers.Count} papers ({papers.SelectMany(p => p.Categories).Distinct().Count()} categories):");
        var trainer = Trainer(a, seed);
        var examples = papers.Select((p, i) => new TrainingExample(p, vectors[i], DateOnly.MinValue)).ToList();
        var model = new TaggerFitter { Seed = seed, Trainer = trainer }.FitModel(modelId, examples, descriptions, Console.Out);
        var classifier = model.Classifier;
        Console.WriteLine($"Custom topics: description only σ({model.DescriptionTopic.A:F2}·cos{model.DescriptionTopic.B:+0.00;-0.00}), with examples σ({model.ExampleTopic.A:F2}·cos{model.ExampleTopic.B:+0.00;-0.00})");

        using (var stream = File.Create(output))
            model.Save(stream, $"{papers.Count} papers from {string.Join(", ", files.Select(Path.GetFileName))}; seed {seed}, " +
                $"L2 {trainer.Softmax.L2}, balance {trainer.BalancePower}, primary mass {trainer.PrimaryMass}, description prior {trainer.DescriptionPrior}, {trainer.Softmax.Epochs} epochs");
        Console.WriteLine($"{classifier.Active.Length} categories learned from examples, {classes.Count - classifier.Active.Length} from descriptions only; " +
            $"wrote {output} ({new FileInfo(output).Length / 1024} KB) in {watch.Elapsed.TotalSeconds:F0} s. Rebuild to embed it.");
        return Task.FromResult(0);
    }
}
