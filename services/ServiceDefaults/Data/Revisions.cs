using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace Papers.ServiceDefaults.Data;

/// <summary>
/// A row that replicas update concurrently: <see cref="Revision"/> is its concurrency token, one
/// more on every update a context saves, so an update based on a stale read fails with
/// <see cref="DbUpdateConcurrencyException"/> instead of overwriting a newer one (works the same
/// on SQLite and PostgreSQL). The consumer that lost is retried with a fresh read.
/// </summary>
/// <remarks>
/// Atomic SQL updates (<c>ExecuteUpdate</c> with its guard in the WHERE clause, such as vote
/// counts) don't move the revision: they write columns no read-modify-write touches.
/// </remarks>
public interface IRevisioned
{
    int Revision { get; set; }
}

public static class Revisions
{
    /// <summary>Makes <see cref="IRevisioned.Revision"/> the entity's concurrency token.</summary>
    public static EntityTypeBuilder<T> HasRevision<T>(this EntityTypeBuilder<T> entity) where T : class, IRevisioned
    {
        entity.Property(e => e.Revision).IsConcurrencyToken();
        return entity;
    }

    /// <summary>Call from a context's constructor: every save moves the revision of each updated <see cref="IRevisioned"/> row.</summary>
    public static void BumpRevisionsOnSave(this DbContext db) => db.SavingChanges += (sender, _) => Bump((DbContext)sender!);

    private static void Bump(DbContext db)
    {
        if (db.ChangeTracker.AutoDetectChangesEnabled)
            db.ChangeTracker.DetectChanges();
        foreach (var entry in db.ChangeTracker.Entries<IRevisioned>().Where(e => e.State == EntityState.Modified))
        {
            var revision = entry.Property(e => e.Revision);
            revision.CurrentValue = revision.OriginalValue + 1;
        }
    }
}

public static class DbConflicts
{
    /// <summary>
    /// The save lost a race with another writer: a stale concurrency token, or a unique key (a row
    /// inserted meanwhile). Trying again with a fresh read decides it correctly.
    /// </summary>
    public static bool IsConflict(this DbUpdateException exception) => exception is DbUpdateConcurrencyException || exception.InnerException switch
    {
        Npgsql.PostgresException pg => pg.SqlState == Npgsql.PostgresErrorCodes.UniqueViolation,
        // SQLITE_CONSTRAINT_PRIMARYKEY, SQLITE_CONSTRAINT_UNIQUE
        Microsoft.Data.Sqlite.SqliteException sqlite => sqlite.SqliteExtendedErrorCode is 1555 or 2067,
        _ => false,
    };
}
