using System.Data.Common;
using DuckDB.NET.Data;
using Papers.Analytics.Archive;

namespace Papers.Analytics.Queries;

/// <summary>
/// DuckDB over the archive's files: a fresh in-memory database per query with one view per event
/// type (<c>"PaperViewed"</c>, …) over its committed files, plus a <c>day</c> column from the
/// partition folders (a filter on it skips other days' files). A type with no files yet gets an
/// empty view of the same columns, so a query never fails for want of events.
/// </summary>
public sealed class ArchiveQueries(ArchiveOptions options, ArchivedTypes types)
{
    private readonly ArchiveLayout _layout = new(options.Root);

    public ArchivedTypes Types => types;

    /// <summary>
    /// An open connection with the views of every type, or only of those <paramref name="sql"/>
    /// names: a view reads the footers of all its type's files when it is created, which over a
    /// year of files is most of a small query's time. Dispose it.
    /// </summary>
    public async Task<DuckDBConnection> OpenAsync(CancellationToken cancellationToken, string? sql = null)
    {
        var connection = new DuckDBConnection("Data Source=:memory:");
        await connection.OpenAsync(cancellationToken);
        // Days and casts of the UTC timestamps in UTC, whatever the machine's zone.
        await ExecuteAsync(connection, "SET TimeZone = 'UTC'", cancellationToken);
        foreach (var schema in types.All.Where(t => sql is null || sql.Contains(t.Name, StringComparison.OrdinalIgnoreCase)))
            await ExecuteAsync(connection, $"CREATE VIEW \"{schema.Name}\" AS {Source(schema)}", cancellationToken);
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

    /// <summary>What a type's view reads: its files, or no rows of its columns.</summary>
    public string Source(ArchiveSchema schema)
    {
        var folder = _layout.TypeFolder(schema.Name);
        if (Directory.Exists(folder) && Directory.EnumerateFiles(folder, "*.parquet", SearchOption.AllDirectories).Any())
            return $"SELECT * FROM read_parquet('{_layout.Glob(schema.Name).Replace("'", "''")}', hive_partitioning = true, hive_types = {{'day': DATE}}, union_by_name = true)";
        var columns = schema.Columns.Select(c => $"NULL::{c.SqlType} AS \"{c.Name}\"").Append("NULL::DATE AS \"day\"");
        return $"SELECT {string.Join(", ", columns)} WHERE false";
    }

    private static async Task ExecuteAsync(DuckDBConnection connection, string sql, CancellationToken cancellationToken)
    {
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync(cancellationToken);
    }
}
