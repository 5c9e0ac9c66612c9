using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Papers.Api.Data;
using Papers.Api.Search;
using static Papers.Api.Tests.SearchBackendTests;

namespace Papers.Api.Tests;

/// <summary>The disk backend's own promises: snapshots survive a restart, catch-up starts at their watermark, searches run during upserts.</summary>
public sealed class SearchDiskIndexTests : IDisposable
{
    private static readonly DateTime Watermark = new(2026, 5, 4, 3, 2, 1, DateTimeKind.Utc);
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "papers-search-tests", Guid.NewGuid().ToString("n"));
    private readonly List<IDisposable> _opened = [];

    public void Dispose()
    {
        foreach (var index in _opened)
            index.Dispose();
        if (Directory.Exists(_directory))
            Directory.Delete(_directory, recursive: true);
    }

    private DiskSearchIndex Open()
    {
        var index = new DiskSearchIndex(new SearchOptions { Backend = SearchBackend.Disk, IndexDirectory = _directory }, NullLogger.Instance, TimeProvider.System);
        _opened.Add(index);
        return index;
    }

    private void Close(DiskSearchIndex index)
    {
        _opened.Remove(index);
        index.Dispose();
    }

    [Fact]
    public void A_reopened_snapshot_answers_as_before_and_keeps_its_watermark()
    {
        var papers = SamplePapers();
        var index = Open();
        Assert.Null(index.PersistedWatermark);
        index.Upsert(papers);
        index.Checkpoint(Watermark);
        var keyword = index.Search("diffusion", null, null, 10);
        var hybrid = index.Search(papers[3].Title, papers[3].Embedding, "m1", 10);
        var similar = index.Similar(papers[5].PaperId, 5);
        Close(index);

        var reopened = Open();

        Assert.Equal(Watermark, reopened.PersistedWatermark);
        Assert.Equal(papers.Count, reopened.Count);
        Assert.Equal(keyword, reopened.Search("diffusion", null, null, 10));
        Assert.Equal(hybrid, reopened.Search(papers[3].Title, papers[3].Embedding, "m1", 10));
        Assert.Equal(similar, reopened.Similar(papers[5].PaperId, 5));

        // Keys survive too: updating a paper after the restart replaces it instead of adding a second copy.
        reopened.Upsert([papers[0] with { Title = "Zebrafish xylophone", Abstract = "" }]);
        Assert.Equal(papers.Count, reopened.Count);
        Assert.Equal(papers.Count, reopened.Vectors["m1"].Count);
        Assert.Single(reopened.Search("xylophone zebrafish", null, null, 10));
    }

    /// <summary>
    /// MaxScore pruning must give what Lucene's own BooleanQuery gives: the same documents in the
    /// same order with the same scores, across several segments (one per upserted batch), for
    /// short and long queries and for k both below and above the number of matches.
    /// </summary>
    [Fact]
    public void Pruned_keyword_scoring_returns_exactly_what_Lucene_scores()
    {
        var sample = SamplePapers();
        var sentences = sample.SelectMany(p => p.Abstract.Split(". ")).ToArray();
        var random = new Random(11);
        var index = Open();
        foreach (var batch in Enumerable.Range(0, 3_000).Chunk(500))
            index.Upsert(batch.Select(i => Paper($"p{i}", sample[random.Next(sample.Count)].Title,
                text: string.Join(". ", Enumerable.Range(0, random.Next(1, 6)).Select(_ => sentences[random.Next(sentences.Length)])))).ToList());
        index.Remove("p7");

        var queries = sample.Select(p => p.Title).Concat(sentences.Take(40).Select(s => string.Join(' ', s.Split(' ').Take(4))));
        var compared = 0;
        foreach (var query in queries)
            foreach (var k in (int[])[1, 10, 200])
            {
                var (pruned, lucene) = index.CompareKeywordScoring(query, k);
                Assert.True(lucene.Select(x => x.Doc).SequenceEqual(pruned.Select(x => x.Doc)), $"{query} k={k}: " + string.Join(" ", lucene.Zip(pruned).Select(p => $"{p.First.Doc}:{p.First.Score:R}/{p.Second.Doc}:{p.Second.Score:R}")));
                Assert.All(pruned.Zip(lucene), p => Assert.Equal(p.Second.Score, p.First.Score, 4));
                compared += lucene.Count;
            }
        Assert.True(compared > 10_000, $"only {compared} results compared");
    }

    [Fact]
    public void Changes_after_the_last_snapshot_are_not_on_disk_and_the_watermark_says_so()
    {
        var index = Open();
        index.Upsert([Paper("a", "Galaxies", Unit(1, 0, 0))]);
        index.Checkpoint(Watermark);
        index.Upsert([Paper("b", "Proteins", Unit(0, 1, 0)), Paper("a", "Galaxies renamed", Unit(0, 0, 1))]);
        Assert.Equal(2, index.Count);
        Close(index); // no checkpoint: as after a crash

        var reopened = Open();

        Assert.Equal(Watermark, reopened.PersistedWatermark);
        Assert.Equal(1, reopened.Count);
        Assert.Empty(reopened.Search("proteins", null, null, 10));
        Assert.Equal("a", Assert.Single(reopened.Search("zzz", Unit(1, 0, 0), "m1", 10)).PaperId);

        // Catching up assigns b a key again; nothing of the lost b or of a's lost vector is left to collide with.
        reopened.Upsert([Paper("b", "Proteins", Unit(0, 1, 0)), Paper("a", "Galaxies renamed", Unit(0, 0, 1))]);
        Assert.Equal(["b"], reopened.Search("zzz", Unit(0, 1, 0), "m1", 10).Select(h => h.PaperId));
        Assert.Equal(["a"], reopened.Search("zzz", Unit(0, 0, 1), "m1", 10).Select(h => h.PaperId));
    }

    [Fact]
    public void A_snapshot_that_cannot_be_read_is_dropped_and_rebuilt_from_the_read_model()
    {
        var index = Open();
        index.Upsert([Paper("a", "Galaxies", Unit(1, 0, 0))]);
        index.Checkpoint(Watermark);
        Close(index);
        foreach (var file in Directory.GetFiles(Path.Combine(_directory, "vectors")))
            File.WriteAllText(file, "not an index");

        var reopened = Open();

        Assert.Null(reopened.PersistedWatermark);
        Assert.Equal(0, reopened.Count);
        reopened.Upsert([Paper("a", "Galaxies", Unit(1, 0, 0))]);
        Assert.Equal("a", Assert.Single(reopened.Search("galaxies", Unit(1, 0, 0), "m1", 10)).PaperId);
    }

    [Fact]
    public void Unreadable_Lucene_files_are_dropped_and_rebuilt_from_the_read_model()
    {
        var index = Open();
        index.Upsert([Paper("a", "Galaxies", Unit(1, 0, 0))]);
        index.Checkpoint(Watermark);
        Close(index);
        foreach (var file in Directory.GetFiles(Path.Combine(_directory, "lucene"), "segments_*"))
            File.WriteAllText(file, "not a commit");

        var reopened = Open();

        Assert.Null(reopened.PersistedWatermark);
        Assert.Equal(0, reopened.Count);
        reopened.Upsert([Paper("b", "Proteins", Unit(0, 1, 0))]);
        Assert.Equal("b", Assert.Single(reopened.Search("proteins", Unit(0, 1, 0), "m1", 10)).PaperId);
    }

    [Fact]
    public void A_second_index_on_the_same_folder_is_refused()
    {
        Open();
        Assert.Throws<Lucene.Net.Store.LockObtainFailedException>(() => Open());
    }

    [Fact]
    public void Checkpoints_wait_for_their_interval_unless_forced_or_first()
    {
        var index = Open();
        index.Upsert([Paper("a", "Galaxies")]);
        index.Checkpoint(Watermark);
        Assert.Equal(Watermark, index.PersistedWatermark); // the first snapshot is written at once

        index.Upsert([Paper("b", "Proteins")]);
        index.Checkpoint(Watermark.AddSeconds(3));
        Assert.Equal(Watermark, index.PersistedWatermark); // not yet due (5 minutes)

        index.Checkpoint(Watermark.AddSeconds(6), force: true);
        Assert.Equal(Watermark.AddSeconds(6), index.PersistedWatermark);
    }

    [Fact]
    public async Task Searches_run_while_papers_are_upserted_and_the_vector_index_grows()
    {
        var index = Open();
        var random = new Random(3);
        float[] RandomVector() => Unit(Enumerable.Range(0, 16).Select(_ => (float)random.NextDouble() - 0.5f).ToArray());
        var papers = Enumerable.Range(0, 3_000).Select(i => Paper($"p{i}", $"Paper {i} about topic {i % 37}", RandomVector(), $"Abstract {i % 11}")).ToList();
        var query = papers[0].Embedding!;
        using var done = new CancellationTokenSource();

        var writer = Task.Run(() =>
        {
            foreach (var batch in papers.Chunk(100))
                index.Upsert(batch);
            done.Cancel();
        });
        var readers = Enumerable.Range(0, 4).Select(r => Task.Run(() =>
        {
            var searches = 0;
            while (!done.IsCancellationRequested || searches == 0)
            {
                var hits = index.Search($"topic {searches % 37}", query, "m1", 20);
                Assert.All(hits, h => Assert.StartsWith("p", h.PaperId));
                index.Similar($"p{searches % 50}", 5);
                searches++;
            }
            return searches;
        })).ToList();

        await writer;
        var searched = await Task.WhenAll(readers);

        Assert.All(searched, s => Assert.True(s > 0));
        Assert.Equal(papers.Count, index.Count);
        Assert.Equal("p0", index.Search("zzz", query, "m1", 1)[0].PaperId);
    }

    [Fact]
    public async Task After_a_restart_the_hydrator_catches_up_from_the_snapshot_watermark()
    {
        await using var connection = new SqliteConnection("Data Source=:memory:");
        await connection.OpenAsync();
        await using var services = new ServiceCollection().AddDbContext<ApiDbContext>(o => o.UseSqlite(connection)).BuildServiceProvider();
        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ApiDbContext>();
            await db.Database.EnsureCreatedAsync();
            db.Papers.AddRange(Row("2501.00001", "Galaxies in the early universe"), Row("2501.00002", "Protein folding"));
            await db.SaveChangesAsync();
        }
        var scopes = services.GetRequiredService<IServiceScopeFactory>();

        var first = Open();
        await new IndexHydrator(scopes, first, new SearchIndexSignal(), NullLogger<IndexHydrator>.Instance).RefreshAsync(default);
        var watermark = first.PersistedWatermark;
        Assert.NotNull(watermark); // the first load is written at once
        Close(first);

        await using (var scope = services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ApiDbContext>();
            var paper = await db.Papers.SingleAsync(p => p.PaperId == "2501.00002");
            paper.Title = "Protein design with diffusion";
            paper.UpdatedAt = DateTime.UtcNow;
            db.Papers.Add(Row("2501.00003", "Sparse attention"));
            await db.SaveChangesAsync();
        }

        var second = Open();
        Assert.Equal(watermark, second.PersistedWatermark);
        Assert.Equal(2, second.Count);
        await new IndexHydrator(scopes, second, new SearchIndexSignal(), NullLogger<IndexHydrator>.Instance).RefreshAsync(default);

        Assert.Equal(3, second.Count);
        Assert.Single(second.Search("diffusion", null, null, 10));
        Assert.Empty(second.Search("folding", null, null, 10));
        Assert.Single(second.Search("galaxies", null, null, 10));
    }

    private static PaperRecord Row(string id, string title) => new()
    {
        PaperId = id,
        Title = title,
        Abstract = "",
        Source = "file",
        ContentHash = $"hash-{id}-{title.Length}",
        ListedOn = new DateOnly(2025, 1, 1),
        UpdatedAt = DateTime.UtcNow,
    };
}
