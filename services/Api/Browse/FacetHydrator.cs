using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Papers.Api.Data;

namespace Papers.Api.Browse;

/// <summary>
/// Keeps this replica's <see cref="FacetIndex"/> in step with the read model: everything at start,
/// then the rows changed since the last pass (papers and enrichments carry <c>UpdatedAt</c>; votes
/// touch it too), every <see cref="PollInterval"/>. Reads only the columns facets need.
/// </summary>
public sealed class FacetHydrator(IServiceScopeFactory scopes, FacetIndex index, ILogger<FacetHydrator> logger) : BackgroundService
{
    public static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    // Rows committed slightly out of order with their timestamps are caught by re-reading a margin.
    private static readonly TimeSpan Overlap = TimeSpan.FromSeconds(10);

    private readonly TaskCompletionSource _firstPass = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private DateTime _watermark = DateTime.MinValue;

    /// <summary>Completes after the first full load.</summary>
    public Task Loaded => _firstPass.Task;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(PollInterval);
        do
        {
            try
            {
                await RefreshAsync(stoppingToken);
                _firstPass.TrySetResult();
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Refreshing the facet index failed; retrying");
            }
        }
        while (await WaitAsync(timer, stoppingToken));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try { return await timer.WaitForNextTickAsync(stoppingToken); }
        catch (OperationCanceledException) { return false; }
    }

    /// <summary>Reads papers and enrichments changed since the last pass into the index.</summary>
    public async Task RefreshAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApiDbContext>();
        var since = _watermark == DateTime.MinValue ? DateTime.MinValue : _watermark - Overlap;
        var startedAt = DateTime.UtcNow;

        var changed = await db.Papers.AsNoTracking().Where(p => p.UpdatedAt >= since).Select(p => p.PaperId)
            .Union(db.Enrichments.AsNoTracking().Where(e => e.UpdatedAt >= since).Select(e => e.PaperId))
            .ToListAsync(cancellationToken);
        foreach (var chunk in changed.Chunk(2000))
        {
            var papers = await db.Papers.AsNoTracking().Where(p => chunk.Contains(p.PaperId))
                .Select(p => new { p.PaperId, p.ListedOn, p.PublishedOn, Upvotes = p.SourceUpvotes + p.LocalUpvotes, p.Categories, p.Authors, p.ContentHash })
                .ToListAsync(cancellationToken);
            var tags = await db.Enrichments.AsNoTracking().Where(e => chunk.Contains(e.PaperId))
                .Select(e => new { e.PaperId, e.ContentHash, e.Tags })
                .ToDictionaryAsync(e => e.PaperId, cancellationToken);
            index.Upsert(papers.Select(p => new PaperFacets(p.PaperId, p.ListedOn, p.PublishedOn, p.Upvotes, p.Categories,
                // An enrichment of older content must not stand for the new content.
                tags.TryGetValue(p.PaperId, out var e) && e.ContentHash == p.ContentHash ? e.Tags : [],
                [.. p.Authors.Select(a => a.Name)])));
        }
        _watermark = startedAt;
    }
}

/// <summary>Ready once the facet index has caught up with the read model (the hydrator's first pass), so a new replica's pages and <c>/v1</c> filters don't answer half-empty.</summary>
public sealed class FacetIndexReadiness(FacetHydrator hydrator) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(hydrator.Loaded.IsCompletedSuccessfully
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("The facet index is still loading."));
}
