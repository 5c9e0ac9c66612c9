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
/// Publishes committed outbox rows in order, marks each sent, and retries failed rows with
/// backoff; a row is never dropped. Delivery is at least once: consumers are idempotent.
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
        var now = clock.GetUtcNow().UtcDateTime;
        var due = await db.Set<OutboxMessage>()
            .Where(m => m.SentAt == null && m.NextAttemptAt <= now)
            .OrderBy(m => m.Id)
            .Take(BatchSize)
            .ToListAsync(cancellationToken);

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
            }
            await db.SaveChangesAsync(CancellationToken.None);
        }
        return due.Count;
    }

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
