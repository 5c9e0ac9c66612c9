using Cronos;
using Microsoft.Extensions.Options;
using Papers.ServiceDefaults.Leases;

namespace Papers.Training.Retraining;

/// <summary>
/// Retrains on the <c>Training:Cron</c> schedule (UTC). Every replica wakes at each occurrence;
/// the <c>retrain</c> lease lets one run it, and the occurrence is recorded so a replica that
/// wakes late doesn't run it again.
/// </summary>
public sealed class RetrainScheduler(IServiceScopeFactory scopes, IOptions<TrainingOptions> options, TimeProvider clock, ILogger<RetrainScheduler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (string.IsNullOrWhiteSpace(options.Value.Cron))
        {
            logger.LogInformation("Training:Cron is empty: the tagger is retrained only on request (POST /api/training/retrain)");
            return;
        }
        var schedule = CronExpression.Parse(options.Value.Cron);
        while (!stoppingToken.IsCancellationRequested)
        {
            var next = schedule.GetNextOccurrence(clock.GetUtcNow(), TimeZoneInfo.Utc);
            if (next is null)
                return;
            try
            {
                var wait = next.Value - clock.GetUtcNow();
                if (wait > TimeSpan.Zero)
                    await Task.Delay(wait, clock, stoppingToken);
                await using var scope = scopes.CreateAsyncScope();
                var occurrence = Occurrences.At(next.Value);
                var run = await scope.ServiceProvider.GetRequiredService<Retrainer>().RunAsync(occurrence, stoppingToken);
                if (run.Outcome != LeaseOutcome.Ran)
                    logger.LogInformation("Retraining {Occurrence} not run here: {Outcome}", occurrence, run.Outcome == LeaseOutcome.Busy ? "another replica is running it" : "already done");
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Retraining failed; the next scheduled run will retry");
            }
        }
    }
}
