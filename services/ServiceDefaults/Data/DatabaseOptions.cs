namespace Papers.ServiceDefaults.Data;

public enum DatabaseProvider
{
    /// <summary>A SQLite file per service under <see cref="DatabaseOptions.DataDirectory"/>: the embedded default.</summary>
    Sqlite,

    /// <summary>PostgreSQL, one database per service, at <c>ConnectionStrings:&lt;Service&gt;</c> or <c>ConnectionStrings:Papers</c>.</summary>
    Postgres,
}

/// <summary>Section <c>Database</c>.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Database";

    public DatabaseProvider Provider { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Where SQLite files go; relative paths are relative to the working directory.</summary>
    public string DataDirectory { get; set; } = "data";

    /// <summary>
    /// Apply migrations (PostgreSQL) or create the schema (SQLite) at start-up. Clusters turn it
    /// off and run <c>migrate</c> once per release instead, so replicas don't race.
    /// </summary>
    public bool MigrateOnStart { get; set; } = true;
}
