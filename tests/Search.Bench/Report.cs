using System.Text.Json;

namespace Papers.Search.Bench;

/// <summary>Every result in the work folder as markdown tables (the README copies them).</summary>
public static class Report
{
    public static string Machine()
    {
        var cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown CPU";
        var memory = File.ReadLines("/proc/meminfo").First(l => l.StartsWith("MemTotal", StringComparison.Ordinal)).Split(' ', StringSplitOptions.RemoveEmptyEntries)[1];
        return $"{cpu}, {long.Parse(memory, System.Globalization.CultureInfo.InvariantCulture) / 1048576.0:F0} GiB";
    }

    public static int PrintAll(Workspace workspace)
    {
        var files = Directory.EnumerateFiles(workspace.ResultsDirectory, "*.json").ToList();
        var runs = files.Where(f => !Path.GetFileName(f).StartsWith("quantization", StringComparison.Ordinal))
            .Select(f => JsonSerializer.Deserialize<RunResult>(File.ReadAllText(f))!).OrderBy(r => r.Papers).ThenBy(r => r.Backend).ToList();
        var quantizations = files.Where(f => Path.GetFileName(f).StartsWith("quantization", StringComparison.Ordinal))
            .SelectMany(f => JsonSerializer.Deserialize<List<QuantizationResult>>(File.ReadAllText(f))!).ToList();

        Console.WriteLine();
        Console.WriteLine("| papers | backend | build (its cores / machine busy) | snapshot write | on disk | open index (cold) | spawn → ready | RSS after load: total / anon / file | GC heap | HNSW (native) | recall@10 (served) | sim. error |");
        Console.WriteLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in runs)
            Console.WriteLine($"| {r.Papers:N0} | {r.Backend}{(r.Backend == "Disk" ? $" ({r.Quantization})" : "")} | {r.BuildSeconds:F0} s ({r.Papers / Math.Max(r.BuildSeconds, 1e-9):F0}/s{(r.BuildCores is { } c ? $"; {c.Own:F2} / {c.Machine:F2}" : "")}) | {r.SnapshotSeconds:F1} s | {r.DiskMb:F0} MiB " +
                $"| {r.Ready.IndexOpenMs / 1000:F1} s | {r.SpawnToReadySeconds:F1} s | {r.Stats.Memory.RssMb:F0} / {r.Stats.Memory.AnonMb:F0} / {r.Stats.Memory.FileMb:F0} MiB " +
                $"| {r.Stats.GcHeapMb:F0} MiB | {r.Stats.VectorIndexMb:F0} MiB | {(r.Recall is { } x ? x.ToString("F4", System.Globalization.CultureInfo.InvariantCulture) : "–")} | {(r.SimilarityError is { } e ? e.ToString("F4", System.Globalization.CultureInfo.InvariantCulture) : "–")} |");

        Console.WriteLine();
        Console.WriteLine("| papers | backend | endpoint | req/s | p50 | p90 | p99 | max | errors | server CPU-ms/req | server / wrk / whole machine busy (cores) |");
        Console.WriteLine("|---:|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in runs)
            foreach (var l in r.Loads)
                Console.WriteLine($"| {r.Papers:N0} | {r.Backend} | `{l.Endpoint}` | {l.RequestsPerSecond:F0} | {l.P50Ms:F1} ms | {l.P90Ms:F1} ms | {l.P99Ms:F1} ms | {l.MaxMs:F0} ms | {l.Errors} " +
                    $"| {l.ServerCpuMsPerRequest:F2} | {l.ServerCpuCores:F2} / {l.WrkCpuCores:F2} / {l.MachineBusyCores:F2} |");

        var sweeps = runs.Where(r => r.RecallByEf is { Count: > 0 }).ToList();
        if (sweeps.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine("| papers | HNSW search ef | recall@10 | within 0.01 of the exact 10th | ms per HNSW search of 200 (one thread) |");
            Console.WriteLine("|---:|---:|---:|---:|---:|");
            foreach (var r in sweeps)
                foreach (var e in r.RecallByEf!)
                    Console.WriteLine($"| {r.Papers:N0} | {e.Ef} | {e.Recall:F4} | {e.NearRecall:F4} | {e.MsPerSearch:F2} |");
        }

        if (quantizations.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine($"| papers | HNSW storage | build (vectors only) | memory (USearch) | recall@10, 200 wanted, ef {new Papers.Api.Search.SearchOptions().ExpansionSearch} (as served) | recall@10, 10 wanted, ef 64 |");
            Console.WriteLine("|---:|---|---:|---:|---:|---:|");
            foreach (var q in quantizations)
                Console.WriteLine($"| {q.Papers:N0} | {q.Quantization} | {q.BuildSeconds:F0} s | {q.MemoryMb:F0} MiB | {q.RecallServed:F4} | {q.RecallTen:F4} |");
        }
        return 0;
    }
}
