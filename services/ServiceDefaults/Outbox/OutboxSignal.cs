using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Papers.ServiceDefaults.Outbox;

/// <summary>Wakes the relay as soon as a transaction with outbox rows commits, instead of waiting for its poll.</summary>
public sealed class OutboxSignal<TContext> : WakeSignal, IOutboxNotifier where TContext : DbContext;

internal sealed class OutboxSavedInterceptor(IOutboxNotifier notifier) : SaveChangesInterceptor
{
    // Added rows are Unchanged once saved, so remember which contexts had some until the commit.
    private readonly System.Runtime.CompilerServices.ConditionalWeakTable<DbContext, object> _pending = [];

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } db && db.ChangeTracker.Entries<OutboxMessage>().Any(e => e.State == EntityState.Added))
            _pending.AddOrUpdate(db, this);
        return base.SavingChangesAsync(eventData, result, cancellationToken);
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } db && _pending.Remove(db))
            notifier.Notify();
        return base.SavedChangesAsync(eventData, result, cancellationToken);
    }
}

internal interface IOutboxNotifier
{
    void Notify();
}
