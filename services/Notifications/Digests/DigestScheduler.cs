using Microsoft.Extensions.Options;
using Papers.ServiceDefaults.Leases;

namespace Papers.Notifications.Digests;

/// <summary>Runs the digest on the <c>Digests:Cron</c> schedule (UTC), one replica per occurrence (the digests lease).</summary>
public sealed class DigestScheduler(IServiceScopeFactory scopes, IOptions<DigestOptions> options, TimeProvider clock, ILogger<DigestScheduler> logger)
    : ScheduledJob(scopes, options.Value.Cron, "digest run", "Digests:Cron (digests are sent only on request: POST /api/digests/run)", clock, logger)
{
    protected override async Task<LeaseOutcome> RunAsync(IServiceProvider services, string occurrence, CancellationToken cancellationToken) =>
        (await services.GetRequiredService<DigestRunner>().RunAsync(occurrence, cancellationToken)).Outcome;
}
