using System.Globalization;
using Microsoft.EntityFrameworkCore;
using Papers.Api.Data;

namespace Papers.Web.Bench;

/// <summary>
/// What a replica's in-memory structures hold for the papers of a read model: the facet index
/// (topics, authors, dates) and the search index (BM25 postings and vectors), each loaded as its
/// hydrator loads it, measured as managed heap after a full collection.
/// </summary>
internal static class Memory
{
    public static async Task<int> RunAsync(string data)
    {
        var options = new DbContextOptionsBuilder<ApiDbContext>().UseSqlite($"Data Source={Path.Combine(data, "api.db")}").Options;
        await using var db = new ApiDbContext(options);
        var ids = await db.Papers.AsNoTracking().Select(p => p.PaperId).ToListAsync();
        var baseline = GC.GetTotalMemory(forceFullCollection: true);
        var facets = new Papers.Api.Browse.FacetIndex();
        foreach (var chunk in ids.Chunk(5_000))
        {
            var rows = await db.Papers.AsNoTracking().Where(p => chunk.Contains(p.PaperId))
                .Select(p => new { p.PaperId, p.ListedOn, p.PublishedOn, Upvotes = p.SourceUpvotes + p.LocalUpvotes, p.Categories, p.Authors }).ToListAsync();
            var tags = await db.Enrichments.AsNoTracking().Where(e => chunk.Contains(e.PaperId)).Select(e => new { e.PaperId, e.Tags }).ToDictionaryAsync(e => e.PaperId);
            facets.Upsert(rows.Select(r => new Papers.Api.Browse.PaperFacets(r.PaperId, r.ListedOn, r.PublishedOn, r.Upvotes, r.Categories,
                tags.TryGetValue(r.PaperId, out var t) ? t.Tags : [], [.. r.Authors.Select(a => a.Name)])));
        }
        var afterFacets = GC.GetTotalMemory(true);
        var search = new Papers.Api.Search.SearchIndex();
        foreach (var chunk in ids.Chunk(5_000))
        {
            var rows = await db.Papers.AsNoTracking().Where(p => chunk.Contains(p.PaperId))
                .GroupJoin(db.Enrichments.AsNoTracking(), p => p.PaperId, e => e.PaperId, (p, e) => new { p, e })
                .SelectMany(x => x.e.DefaultIfEmpty(), (x, e) => new { x.p, e }).ToListAsync();
            foreach (var r in rows)
                search.Upsert(new Papers.Api.Search.IndexedPaper(r.p.PaperId, r.p.Title, r.p.Abstract, [.. r.p.Authors.Select(a => a.Name)],
                    r.e?.Keywords ?? [], r.e?.Embedding, r.e?.EmbeddingModel));
        }
        var afterSearch = GC.GetTotalMemory(true);
        var (facetBytes, searchBytes) = (afterFacets - baseline, afterSearch - afterFacets);
        var perHundredK = 100_000.0 / ids.Count / (1 << 20);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"MEMORY papers={ids.Count} facets={facetBytes * perHundredK:0} search={searchBytes * perHundredK:0} (MiB per 100k papers: the facet index of the pages and /v1, the in-memory search index)"));
        GC.KeepAlive(facets);
        GC.KeepAlive(search);
        return 0;
    }
}
