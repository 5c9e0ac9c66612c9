using Microsoft.EntityFrameworkCore;
using Papers.Api.Data;
using Papers.ServiceDefaults;

namespace Papers.Api.Search;

/// <summary>Wakes this replica's <see cref="IndexHydrator"/>: a consumer here changed the read model.</summary>
public sealed class SearchIndexSignal : WakeSignal;

/// <summary>
/// Keeps this replica's <see cref="ISearchIndex"/> in step with the read model: loads everything
/// at start (or, from a persisted snapshot, what changed since it was written), then reads rows
/// changed since the last pass — at once when a consumer of this replica signals, else every few
/// seconds (changes made through other replicas). After each pass the index may write a
/// snapshot; on shutdown it always does.
/// </summary>
public sealed class IndexHydrator(IServiceScopeFactory scopes, ISearchIndex index, SearchIndexSignal signal, ILogger<IndexHydrator> logger) : BackgroundService
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(3);

    // Rows committed slightly out of order with their timestamps are caught by re-reading a margin.
    private static readonly TimeSpan Overlap = TimeSpan.FromSeconds(10);

    private readonly TaskCompletionSource _firstPass = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DateTime _watermark = index.PersistedWatermark ?? DateTime.MinValue;

    /// <summary>Completes after the first full load.</summary>
    public Task Loaded => _firstPass.Task;


    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        if (_watermark == DateTime.MinValue)
            return;
        try
        {
            index.Checkpoint(_watermark, force: true);
        }
        catch (Exception ex) when (ex is IOException or InvalidOperationException)
        {
            logger.LogWarning(ex, "Writing the search index snapshot at shutdown failed; the next start catches up from the previous one");
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RefreshAsync(stoppingToken);
                _firstPass.TrySetResult();
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Refreshing the search index failed; retrying");
            }
            try
            {
                await signal.WaitAsync(PollInterval, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>Reads papers and enrichments changed since the last pass into the index.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApiDbContext>();
        var since = _watermark == DateTime.MinValue ? DateTime.MinValue : _watermark - Overlap;
        var startedAt = DateTime.UtcNow;

        var changedPapers = await db.Papers.AsNoTracking().Where(p => p.UpdatedAt >= since).Select(p => p.PaperId)
            .Union(db.Enrichments.AsNoTracking().Where(e => e.UpdatedAt >= since).Select(e => e.PaperId))
            .ToListAsync(cancellationToken);
        foreach (var chunk in changedPapers.Chunk(500))
        {
            var rows = await db.Papers.AsNoTracking().Where(p => chunk.Contains(p.PaperId))
                .GroupJoin(db.Enrichments.AsNoTracking(), p => p.PaperId, e => e.PaperId, (p, e) => new { p, e })
                .SelectMany(x => x.e.DefaultIfEmpty(), (x, e) => new { x.p, e })
                .ToListAsync(cancellationToken);
            index.Upsert(rows.Select(row => ToIndexed(row.p, row.e)).ToList());
        }
        _watermark = startedAt;
        index.Checkpoint(startedAt);
    }

    private static IndexedPaper ToIndexed(PaperRecord p, EnrichmentRecord? e)
    {
        // An enrichment of older content must not stand for the new content.
        var current = e is not null && e.ContentHash == p.ContentHash ? e : null;
        return new IndexedPaper(p.PaperId, p.Title, p.Abstract, p.Authors.Select(a => a.Name).ToList(),
            current?.Keywords ?? [], current?.Embedding, current?.EmbeddingModel);
    }
}
