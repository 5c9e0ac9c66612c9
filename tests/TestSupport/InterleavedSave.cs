using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace Papers.TestSupport;

/// <summary>
/// Interleaves two writers: the first save of a context that <paramref name="when"/> picks waits,
/// after the context has read and before it writes, until <paramref name="meanwhile"/> (the other
/// writer's whole work) has finished. Records every save it sees (the context instance, and the
/// exception of a save that failed), so a test can tell a retry in a fresh DbContext from one in
/// the same.
/// </summary>
public sealed class InterleavedSave(Func<DbContext, bool> when, Func<Task> meanwhile) : SaveChangesInterceptor
{
    private int _fired;

    /// <summary>The DbContext instance of every save that <paramref name="when"/> picked, in order.</summary>
    public ConcurrentQueue<Guid> Saves { get; } = new();

    /// <summary>Exceptions of the picked saves that failed.</summary>
    public ConcurrentQueue<Exception> Failures { get; } = new();

    public override async ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } db && when(db))
        {
            Saves.Enqueue(db.ContextId.InstanceId);
            if (Interlocked.Exchange(ref _fired, 1) == 0)
                await meanwhile();
        }
        return result;
    }

    public override ValueTask<InterceptionResult> ThrowingConcurrencyExceptionAsync(ConcurrencyExceptionEventData eventData, InterceptionResult result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } db && when(db))
            Failures.Enqueue(new DbUpdateConcurrencyException($"{eventData.Entries.Count} row(s) changed since they were read"));
        return ValueTask.FromResult(result);
    }

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        // A concurrency failure was recorded when it was thrown (above).
        if (eventData.Context is { } db && when(db) && eventData.Exception is not DbUpdateConcurrencyException)
            Failures.Enqueue(eventData.Exception);
        return Task.CompletedTask;
    }
}
