using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace Papers.Api.Search;

/// <summary>The one place the search backend is chosen: <c>Search:Backend</c> = <c>InMemory</c> (default) or <c>Disk</c>.</summary>
public static class SearchRegistration
{
    public static IHostApplicationBuilder AddSearchIndex(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SearchOptions>().BindConfiguration(SearchOptions.Section);
        builder.Services.AddSingleton<ISearchIndex>(sp =>
            sp.GetRequiredService<IOptions<SearchOptions>>().Value.Backend switch
            {
                SearchBackend.Disk => ActivatorUtilities.CreateInstance<DiskSearchIndex>(sp),
                _ => new SearchIndex(),
            });
        builder.Services.AddHealthChecks().AddCheck<SearchIndexReadiness>("search-index");
        return builder;
    }
}

/// <summary>Ready once the index has caught up with the read model (the hydrator's first pass), so a new replica doesn't answer searches half-empty.</summary>
public sealed class SearchIndexReadiness(IndexHydrator hydrator) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(hydrator.Loaded.IsCompletedSuccessfully
            ? HealthCheckResult.Healthy()
            : HealthCheckResult.Unhealthy("The search index is still loading."));
}
