using System.Data.Common;
using DuckDB.NET.Data;
using Microsoft.EntityFrameworkCore;
using Papers.Analytics.Archive;
using Papers.Analytics.Data;

namespace Papers.Analytics.Queries;

/// <summary>
/// DuckDB over the archive's files: a fresh in-memory database per query with one view per event
/// type (<c>"PaperViewed"</c>, …) over the files that count, plus a <c>day</c> column from the
/// partition folders (a filter on it skips other days' files). The files are those the database
/// holds as committed and not compacted into another, not a listing of the folder: a compaction
/// swaps a day's files in one transaction, so a query sees either the files as written or the one
/// that replaced them, never both or neither. A type with no files yet gets an empty view of the
/// same columns, so a query never fails for want of events.
/// <para>Events about one paper also get a view <c>"&lt;Type&gt;PerPaper"</c> (<c>day, paperId,
/// events</c>, a paper possibly on several rows of a day: sum them): the counts compaction wrote for
/// compacted files, counted from the events for the others. Over a year that reads a fifth of
/// the rows a count of every view reads.</para>
/// </summary>
public sealed class ArchiveQueries(ArchiveOptions options, ArchivedTypes types, IServiceScopeFactory scopes)
{
    /// <summary>Times the list is read again when a file on it was deleted meanwhile (each time, a compaction committed in between).</summary>
    private const int ListAttempts = 3;

    /// <summary>The suffix of the per-paper views: <c>"PaperViewedPerPaper"</c>.</summary>
    public const string PerPaper = "PerPaper";

    private readonly ArchiveLayout _layout = new(options.Root);

    public ArchivedTypes Types => types;

    /// <summary>
    /// An open connection with the views of every type, or only of those <paramref name="sql"/>
    /// names: a view reads the footers of all its type's files when it is created, which over a
    /// year of files is most of a small query's time. Dispose it.
    /// </summary>
    public async Task<DuckDBConnection> OpenAsync(CancellationToken cancellationToken, string? sql = null)
    {
        var schemas = types.All.Where(t => sql is null || sql.Contains(t.Name, StringComparison.OrdinalIgnoreCase)).ToList();
        var files = await CountingFilesAsync(schemas, cancellationToken);
        var connection = new DuckDBConnection("Data Source=:memory:");
        await connection.OpenAsync(cancellationToken);
        // Days and casts of the UTC timestamps in UTC, whatever the machine's zone.
        await ExecuteAsync(connection, "SET TimeZone = 'UTC'", cancellationToken);
        foreach (var schema in schemas)
        {
            await ExecuteAsync(connection, $"CREATE VIEW \"{schema.Name}\" AS {Source(schema, files[schema.Name].Select(f => f.OnDisk))}", cancellationToken);
            if (schema.CountsPerPaper && (sql is null || sql.Contains(schema.Name + PerPaper, StringComparison.OrdinalIgnoreCase)))
                await ExecuteAsync(connection, $"CREATE VIEW \"{schema.Name}{PerPaper}\" AS {PerPaperSource(files[schema.Name])}", cancellationToken);
        }
        return connection;
    }

    /// <summary>The rows of <paramref name="sql"/>, with <c>$name</c> parameters.</summary>
    public async Task<List<T>> QueryAsync<T>(string sql, IReadOnlyDictionary<string, object?> parameters, Func<DbDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var connection = await OpenAsync(cancellationToken, sql);
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
            command.Parameters.Add(new DuckDBParameter(name, value));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
            rows.Add(read(reader));
        return rows;
    }

    /// <summary>The files that count now, by type, in the order of their names (days first), with their paths on the disk.</summary>
    private async Task<ILookup<string, (string Relative, string OnDisk)>> CountingFilesAsync(IReadOnlyList<ArchiveSchema> schemas, CancellationToken cancellationToken)
    {
        var names = schemas.Select(s => s.Name).ToList();
        for (var attempt = 1; ; attempt++)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<AnalyticsDbContext>();
            var rows = await db.Files.AsNoTracking()
                .Where(f => names.Contains(f.EventType) && f.CompactedInto == null)
                .Select(f => new { f.EventType, f.Path })
                .ToListAsync(cancellationToken);
            var located = rows.OrderBy(r => r.Path, StringComparer.Ordinal).Select(r => (r.EventType, r.Path, OnDisk: _layout.Locate(r.Path))).ToList();
            if (located.FirstOrDefault(f => f.OnDisk is null) is { Path: not null } missing)
            {
                if (attempt < ListAttempts)
                    continue;
                throw new InvalidOperationException($"The archive's file {missing.Path} is committed but on the disk under neither its name nor its pending name.");
            }
            return located.ToLookup(f => f.EventType, f => (f.Path, f.OnDisk!));
        }
    }

    /// <summary>What a type's view reads: its files, or no rows of its columns.</summary>
    private static string Source(ArchiveSchema schema, IEnumerable<string> files)
    {
        if (ReadParquet(files) is { } read)
            return $"SELECT * FROM {read}";
        var columns = schema.Columns.Select(c => $"NULL::{c.SqlType} AS \"{c.Name}\"").Append("NULL::DATE AS \"day\"");
        return $"SELECT {string.Join(", ", columns)} WHERE false";
    }

    /// <summary>What a type's per-paper view reads: the per-paper counts of compacted files where they are on the disk, and counts of the other files' events.</summary>
    private string PerPaperSource(IEnumerable<(string Relative, string OnDisk)> files)
    {
        var counted = files.Select(f => (f.OnDisk, Counts: ArchiveLayout.IsCompacted(f.Relative) ? _layout.Locate(ArchiveLayout.PerPaper(f.Relative)) : null)).ToList();
        var parts = new List<string>();
        if (ReadParquet(counted.Where(f => f.Counts is not null).Select(f => f.Counts!)) is { } counts)
            parts.Add($"SELECT day, {ArchiveSchema.PaperIdColumn}, events FROM {counts}");
        if (ReadParquet(counted.Where(f => f.Counts is null).Select(f => f.OnDisk)) is { } events)
            parts.Add($"SELECT day, {ArchiveSchema.PaperIdColumn}, count(*) AS events FROM {events} GROUP BY ALL");
        return parts.Count > 0 ? string.Join(" UNION ALL ", parts) : $"SELECT NULL::DATE AS day, NULL::VARCHAR AS {ArchiveSchema.PaperIdColumn}, NULL::BIGINT AS events WHERE false";
    }

    /// <summary><c>read_parquet</c> of these files with the day of their folders, or null for none.</summary>
    private static string? ReadParquet(IEnumerable<string> files)
    {
        var list = string.Join(", ", files.Select(f => $"'{f.Replace('\\', '/').Replace("'", "''")}'"));
        return list.Length == 0 ? null : $"read_parquet([{list}], hive_partitioning = true, hive_types = {{'day': DATE}}, union_by_name = true)";
    }

    private static async Task ExecuteAsync(DuckDBConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
