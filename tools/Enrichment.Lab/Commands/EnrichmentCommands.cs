using System.Numerics.Tensors;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Papers.Enrichment.Embeddings;
using Papers.Enrichment.Lab.Learning;
using Papers.Enrichment.Tagging;
using Papers.ServiceDefaults.Embeddings;
using Papers.Training.Learning;

namespace Papers.Enrichment.Lab.Commands;

/// <summary>
/// The Enrichment lab's commands, on the service's own inference code:
/// <c>bench</c>, <c>eval</c>, <c>train</c> and <c>convert</c>
/// (<c>dotnet run --project tools/Enrichment.Lab -c Release -- &lt;command&gt; …</c>).
/// </summary>
public static class EnrichmentCommands
{
    public static async Task<int> RunAsync(string[] args)
    {
        try
        {
            return args switch
            {
                ["bench", .. var rest] => await BenchCommand.RunAsync(rest),
                ["eval", .. var rest] => await EvalCommand.RunAsync(rest),
                ["similar", .. var rest] => await SimilarCommand.RunAsync(rest),
                ["train", .. var rest] => await TrainCommand.RunAsync(rest),
                ["timesplit", .. var rest] => await TimeSplitCommand.RunAsync(rest),
                ["convert", .. var rest] => ConvertCommand.Run(rest),
                [] or ["help" or "--help", ..] => Usage(),
                [var command, ..] => throw new CommandLineException($"Unknown command '{command}'."),
            };
        }
        catch (CommandLineException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            Usage();
            return 2;
        }
        catch (FileNotFoundException ex)
        {
            await Console.Error.WriteLineAsync(ex.Message);
            return 2;
        }
    }

    private static int Usage()
    {
        Console.WriteLine("""
            Papers.Enrichment.Lab commands (configuration: appsettings.json and Embedding__* environment variables):
              bench [--abstracts N] [--batch N] [--rounds N]
                  abstracts/s on 256-token abstracts: our pipeline, the package's SentenceEncoder, the bare ONNX Runtime call
              eval [labelled.jsonl|.abs folder|.csv]... [--models MiniLM,ArcticXs] [--folds 5] [--seed 1] [--cache file] [--shipped] [--sweep] [--skip-tagging]
                  per model: known-item search and similar papers through the Api's index, against BM25 and TF-IDF cosine;
                  cross-validated top-1/top-3 of the primary category and micro/macro F1, ours against TF-IDF + linear
              similar [labelled]... [--cache file] [--depths 20,50,100] [--authors files or folder] [--earlier] [--fuse Model [--fuse-cache file]] [--scale N]
                  candidate similar-papers signals re-ranking the Api's, on eval's time split: on the shipped ranking (authors, predicted
                  categories, feedback, lexical fusion, hubness, k-means topics, graph diffusion); --earlier: sentence-level matching and the rest on the one before;
                  --fuse ArcticXs: the configured model's cosine fused with a second model's, alone, in the Api's ranking and re-ranking it
              train [--data folder] [--out file] [--cache file]
                  fits the shipped tagger on tools/Enrichment.Lab/Training/*.jsonl and writes services/Enrichment/Tagging/tagger-model.json
              timesplit <older labelled>... --validate <newer labelled>[,...] [--no-base] [--cache file]
                  the Training service's retraining recipe from files: fit on the older papers (+ the base set), judge on the newer, per archive
              convert <inputs>... --out file.jsonl [--ids FROM..TO]
                  labelled data (JSONL, .abs folders, Kaggle CSV) to the compact JSONL the others read
            """);
        return 0;
    }

    internal static ILoggerFactory Logging() => LoggerFactory.Create(b => b
        .AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; })
        .SetMinimumLevel(LogLevel.Information)
        .AddFilter("Microsoft", LogLevel.Warning));

    /// <summary>Embedding options as the service reads them: appsettings.json, then <c>Embedding__*</c> environment variables.</summary>
    internal static EmbeddingOptions EmbeddingOptions()
    {
        var configuration = new ConfigurationBuilder()
            .SetBasePath(AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true)
            .AddEnvironmentVariables()
            .Build();
        var options = new EmbeddingOptions();
        configuration.GetSection(Embeddings.EmbeddingOptions.Section).Bind(options);
        return options;
    }

    internal static OnnxEmbedder CreateEmbedder(ILoggerFactory logging, EmbeddingOptions? options = null) =>
        new(Options.Create(options ?? EmbeddingOptions()), logging.CreateLogger<OnnxEmbedder>());

    /// <summary>
    /// What eval and train both start from: the papers' embeddings (through the on-disk cache when
    /// one is named), the predictable categories, and each paper's similarity to every category description.
    /// </summary>
    internal static TaggingInputs EmbedForTagging(IReadOnlyList<LabelledPaper> papers, string? cachePath)
    {
        using var logging = Logging();
        using var embedder = CreateEmbedder(logging);
        return EmbedForTagging(papers, new EmbeddingCache(embedder, cachePath, Console.Out));
    }

    internal static TaggingInputs EmbedForTagging(IReadOnlyList<LabelledPaper> papers, EmbeddingCache cache)
    {
        var vectors = cache.Embed(papers.Select(p => p.Text).ToList());
        // A description is to the model what a query is: the text papers are compared with.
        var descriptions = cache.Embed(Categories.Predictable.Select(c => c.DescriptionText).ToList(), EmbeddingRole.Query);
        var similarities = vectors.Select(v => descriptions.Select(d => TensorPrimitives.Dot(v, d)).ToArray()).ToArray();
        return new TaggingInputs(vectors, Categories.Predictable.Select(c => c.Id).ToList(), descriptions, similarities, cache.ModelId);
    }

    /// <summary>
    /// Input paths as given, or, when a relative one isn't found here, relative to the repository
    /// root (<c>dotnet run --project</c> runs in the project's folder, not the shell's).
    /// </summary>
    internal static List<string> Inputs(IEnumerable<string> paths) => paths.Select(p =>
    {
        if (Path.IsPathRooted(p) || File.Exists(p) || Directory.Exists(p))
            return p;
        var fromRoot = Path.GetFullPath(Path.Combine(RepositoryRoot(), p));
        return File.Exists(fromRoot) || Directory.Exists(fromRoot) ? fromRoot : p;
    }).ToList();

    /// <summary>The labelled papers train and bench read by default: <c>tools/Enrichment.Lab/Training/</c>.</summary>
    internal static string TrainingFolder() => Path.Combine(RepositoryRoot(), "tools", "Enrichment.Lab", "Training");

    /// <summary>Where train writes by default: the model the service embeds at its next build, <c>services/Enrichment/Tagging/tagger-model.json</c>.</summary>
    internal static string ShippedModelPath() => Path.Combine(RepositoryRoot(), "services", "Enrichment", "Tagging", TaggerModel.ResourceName);

    /// <summary>The repository (for the training data and the service's model file), found upwards from the binaries.</summary>
    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "services", "Enrichment", "Enrichment.csproj")))
                return dir.FullName;
        throw new CommandLineException("Can't find services/Enrichment above the binaries; pass --data and --out.");
    }
}

/// <summary>A usage error: printed with the usage, exit code 2.</summary>
public sealed class CommandLineException(string message) : Exception(message);

/// <summary>Minimal <c>--name value</c> / <c>--flag</c> parsing; the rest are positional.</summary>
internal sealed class CommandArgs
{
    private readonly Dictionary<string, string?> _named = new(StringComparer.Ordinal);

    public CommandArgs(string[] args, params string[] flags)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
                Positional.Add(args[i]);
            else if (flags.Contains(args[i][2..]))
                _named[args[i][2..]] = null;
            else if (i + 1 < args.Length)
                _named[args[i][2..]] = args[++i];
            else
                throw new CommandLineException($"{args[i]} needs a value.");
        }
    }

    public List<string> Positional { get; } = [];

    public bool Has(string name) => _named.ContainsKey(name);

    public string? String(string name) => _named.GetValueOrDefault(name);

    public int Int(string name, int fallback, int min = 1) =>
        _named.TryGetValue(name, out var v)
            ? int.TryParse(v, out var n) && n >= min ? n : throw new CommandLineException($"--{name} must be a whole number of at least {min}; got '{v}'.")
            : fallback;
}

/// <summary>Embedded labelled papers and category descriptions, as eval and train use them.</summary>
internal sealed record TaggingInputs(float[][] Vectors, List<string> Classes, float[][] Descriptions, float[][] Similarities, string ModelId);
