using System.Diagnostics;
using System.Text.Json;
using MassTransit;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Papers.Contracts;
using Papers.ServiceDefaults.Telemetry;

namespace Papers.ServiceDefaults.Outbox;

/// <summary>
/// Publishes committed outbox rows oldest first, marks each sent, and retries failed rows with
/// backoff; a row is never dropped (<see cref="OutboxCleanup{TContext}"/> deletes sent rows later).
/// What this guarantees, and what it doesn't:
/// <list type="bullet">
/// <item>At least once. A crash between the publish and the commit that marks the row sent
/// publishes it again, with the same <c>MessageId</c>.</item>
/// <item>Not in order across replicas. On PostgreSQL each replica's relay locks the batch it
/// publishes (<c>FOR UPDATE SKIP LOCKED</c>) and the others take the next rows, so two replicas
/// publish different batches at the same moment, and a row retried after a failure goes out after
/// rows recorded later. Within one batch of one replica, rows go out in order. So events of one
/// paper may arrive out of order: consumers compare versions and content hashes, never arrival
/// order.</item>
/// </list>
/// </summary>
public sealed class OutboxRelay<TContext>(
    IServiceScopeFactory scopes,
    IBus bus,
    OutboxSignal<TContext> signal,
    TimeProvider clock,
    ILogger<OutboxRelay<TContext>> logger) : BackgroundService
    where TContext : DbContext
{
    private const int BatchSize = 100;
    private static readonly TimeSpan PollInterval = TimeSpan.FromSeconds(2);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await RelayBatchAsync(stoppingToken) == BatchSize)
                    continue;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Outbox relay for {Context} failed; retrying", typeof(TContext).Name);
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

    /// <summary>Publishes one batch of due rows; returns how many rows it looked at.</summary>
    public async Task<int> RelayBatchAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TContext>();
        var strategy = db.Database.CreateExecutionStrategy();
        return await strategy.ExecuteAsync(async () =>
        {
            db.ChangeTracker.Clear();
            // On PostgreSQL, replicas of one service share the outbox: each row is locked by the
            // replica relaying it and skipped by the others while it does (not a promise of
            // "once": a crash before the commit republishes the batch; nor of order across
            // replicas: another replica publishes the next rows meanwhile).
            await using var transaction = db.Database.IsNpgsql() ? await db.Database.BeginTransactionAsync(cancellationToken) : null;
            var due = await DueRows(db, clock.GetUtcNow().UtcDateTime).ToListAsync(cancellationToken);
            foreach (var row in due)
            {
                try
                {
                    await PublishAsync(row, cancellationToken);
                    row.SentAt = clock.GetUtcNow().UtcDateTime;
                    row.LastError = null;
                }
                catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
                {
                    row.Attempts++;
                    row.LastError = ex.Message.Length > 1000 ? ex.Message[..1000] : ex.Message;
                    row.NextAttemptAt = clock.GetUtcNow().UtcDateTime + Backoff(row.Attempts);
                    logger.LogWarning(ex, "Publishing outbox row {Id} ({Type}) failed, attempt {Attempts}", row.Id, row.MessageType, row.Attempts);
                    // Later rows of this batch wait for the next pass (fewer events overtake a
                    // failed one; other replicas' batches still may).
                    break;
                }
                finally
                {
                    // Without a transaction (SQLite) each row is marked as soon as it is sent, so a
                    // crash republishes as little as possible; in the transaction (PostgreSQL) nothing
                    // is durable before the commit anyway, so the batch's marks go in one save.
                    if (transaction is null)
                        await db.SaveChangesAsync(CancellationToken.None);
                }
            }
            if (transaction is not null)
            {
                await db.SaveChangesAsync(CancellationToken.None);
                await transaction.CommitAsync(CancellationToken.None);
            }
            return due.Count;
        });
    }

    private static IQueryable<OutboxMessage> DueRows(TContext db, DateTime now) => db.Database.IsNpgsql()
        ? db.Set<OutboxMessage>().FromSqlInterpolated(
            $"""SELECT * FROM outbox_messages WHERE "SentAt" IS NULL AND "NextAttemptAt" <= {now} ORDER BY "Id" LIMIT {BatchSize} FOR UPDATE SKIP LOCKED""")
        : db.Set<OutboxMessage>().Where(m => m.SentAt == null && m.NextAttemptAt <= now).OrderBy(m => m.Id).Take(BatchSize);

    private async Task PublishAsync(OutboxMessage row, CancellationToken cancellationToken)
    {
        var type = typeof(PaperIngested).Assembly.GetType(row.MessageType)
            ?? throw new InvalidOperationException($"Outbox row {row.Id} names unknown message type '{row.MessageType}'.");
        var message = JsonSerializer.Deserialize(row.Body, type)
            ?? throw new InvalidOperationException($"Outbox row {row.Id} has an empty body.");

        ActivityContext.TryParse(row.TraceParent, null, out var parent);
        using var activity = PapersTelemetry.ActivitySource.StartActivity("outbox relay", ActivityKind.Producer, parent);
        await bus.Publish(message, type, ctx => ctx.MessageId = row.MessageId, cancellationToken);
    }

    private static TimeSpan Backoff(int attempts) => TimeSpan.FromSeconds(Math.Min(60, Math.Pow(2, attempts)));
}
