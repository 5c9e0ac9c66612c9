using System.Globalization;
using Papers.Search.Bench;

// The search scale bench (not a test): see services/Api/README.md, "Search sizing".
return args switch
{
    ["run", .. var rest] => await RunCommand.RunAsync(new Args(rest)),
    ["serve", .. var rest] => await ServeCommand.RunAsync(new Args(rest)),
    ["profile", .. var rest] => ProfileCommand.Run(new Args(rest)),
    ["table", .. var rest] => Report.PrintAll(new Workspace(new Args(rest).String("work") ?? RunCommand.DefaultWork, Repository.Root())),
    _ => Usage(),
};

static int Usage()
{
    Console.WriteLine("""
        Papers.Search.Bench (dotnet run --project tests/Search.Bench -c Release -- <command>)
          run --papers N [--work DIR] [--quantization I8|F16|BF16|F32] [--baseline] [--compare-quantization]
              [--duration 30] [--connections 16] [--threads 2] [--endpoints /search,/search-vector[,/search-http]]
              [--recall-queries 300] [--reuse] [--skip-disk]
              builds the disk index of N synthetic papers (timed), recall@10 of HNSW against exact search,
              then a serving process: cold start, resident memory, wrk load per endpoint; --baseline also
              serves the in-memory index of the same papers; --compare-quantization builds HNSW graphs of
              each storage type (vectors only) and compares build time, memory and recall
          table [--work DIR]
              every result in the work folder as one table
        """);
    return 2;
}

public static class Repository
{
    /// <summary>The checkout this bench runs from (the real papers are read there).</summary>
    public static string Root()
    {
        for (var dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
            if (File.Exists(Path.Combine(dir, "platform.sln")))
                return dir;
        return Directory.GetCurrentDirectory();
    }
}

/// <summary>--name value pairs and --flags.</summary>
public sealed class Args
{
    private readonly Dictionary<string, string?> _named = new(StringComparer.Ordinal);

    public Args(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
                throw new ArgumentException($"Unexpected argument '{args[i]}'.");
            _named[args[i][2..]] = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : null;
        }
    }

    public bool Has(string name) => _named.ContainsKey(name);

    public string? String(string name) => _named.GetValueOrDefault(name);

    public string Required(string name) => String(name) ?? throw new ArgumentException($"--{name} is required.");

    public int Int(string name, int fallback) =>
        _named.TryGetValue(name, out var v) && v is not null ? int.Parse(v.Replace("_", "", StringComparison.Ordinal), CultureInfo.InvariantCulture) : fallback;
}
