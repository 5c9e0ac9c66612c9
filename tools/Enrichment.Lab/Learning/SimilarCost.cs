using System.Diagnostics;
using Microsoft.Extensions.Logging.Abstractions;
using Papers.Api.Search;

namespace Papers.Enrichment.Lab.Learning;

/// <summary>
/// What shared neighbours cost a similar-papers call at a given index size, on both backends: a
/// synthetic index of <c>count</c> papers (the labelled papers' vectors, each copied with noise;
/// no text, so the keyword half is idle and the figure is the vector work), and single-threaded
/// calls with and without shared neighbours, interleaved so a busy neighbour slows both alike.
/// </summary>
internal static class SimilarCost
{
    private const int Calls = 100;

    public static void Run(float[][] vectors, string model, int count, TextWriter log)
    {
        var random = new Random(1);
        var papers = Enumerable.Range(0, count).Select(i =>
        {
            var source = vectors[i % vectors.Length];
            var v = source.Select(x => x + (float)(0.03 * (random.NextDouble() * 2 - 1) * Math.Sqrt(3))).ToArray();
            var norm = System.Numerics.Tensors.TensorPrimitives.Norm(v);
            return new IndexedPaper($"s{i}", "", "", [], [], [.. v.Select(x => x / norm)], model);
        }).ToList();
        var before = FusionWeights.Similar with { SharedNeighbours = 0 };
        foreach (var backend in new[] { SearchBackend.InMemory, SearchBackend.Disk })
        {
            var folder = Path.Combine(Path.GetTempPath(), $"similar-cost-{Environment.ProcessId}");
            var watch = Stopwatch.StartNew();
            ISearchIndex index = backend == SearchBackend.InMemory ? new SearchIndex()
                : new DiskSearchIndex(new SearchOptions { Backend = SearchBackend.Disk, IndexDirectory = folder }, NullLogger.Instance, TimeProvider.System);
            try
            {
                foreach (var chunk in papers.Chunk(5_000))
                    index.Upsert(chunk);
                log.WriteLine($"{backend}: {count:N0} papers indexed in {watch.Elapsed.TotalSeconds:F0} s");
                double without = 0, with = 0;
                for (var i = 0; i < Calls; i++)
                {
                    var p = papers[i * 37 % count];
                    foreach (var w in i % 2 == 0 ? new[] { before, FusionWeights.Similar } : [FusionWeights.Similar, before])
                    {
                        var t = Stopwatch.StartNew();
                        index.SimilarTo("", p.Embedding, model, p.PaperId, 10, w);
                        if (w == before)
                            without += t.Elapsed.TotalMilliseconds;
                        else
                            with += t.Elapsed.TotalMilliseconds;
                    }
                }
                log.WriteLine($"{backend}, {count:N0} papers: a similar-papers call {without / Calls:F1} ms before, {with / Calls:F1} ms with shared neighbours ({with / without:F1}x; mean of {Calls}, one thread)");
            }
            finally
            {
                (index as IDisposable)?.Dispose();
                if (Directory.Exists(folder))
                    Directory.Delete(folder, recursive: true);
            }
        }
    }
}
