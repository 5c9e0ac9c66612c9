using Microsoft.Extensions.Options;
using Papers.ServiceDefaults.Leases;

namespace Papers.Training.Retraining;

/// <summary>Retrains on the <c>Training:Cron</c> schedule (UTC), one replica per occurrence (the <c>retrain</c> lease).</summary>
public sealed class RetrainScheduler(IServiceScopeFactory scopes, IOptions<TrainingOptions> options, TimeProvider clock, ILogger<RetrainScheduler> logger)
    : ScheduledJob(scopes, ParseCron(options.Value.Cron), "retraining", "Training:Cron is empty; retrain on request: POST /api/training/retrain", clock, logger)
{
    protected override async Task<LeaseOutcome> RunAsync(IServiceProvider services, string occurrence, CancellationToken cancellationToken) =>
        (await services.GetRequiredService<Retrainer>().RunAsync(occurrence, cancellationToken)).Outcome;
}
