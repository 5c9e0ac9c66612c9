using System.Globalization;

namespace Papers.Analytics.Archive;

/// <summary>
/// Where files go: <c>&lt;root&gt;/&lt;Type&gt;/day=YYYY-MM-DD/part-&lt;time&gt;-&lt;id&gt;.parquet</c>
/// (hive partitioning: DuckDB reads <c>day</c> as a column and skips the days a query excludes).
/// A file is written under its name plus <see cref="Pending"/> and renamed when committed, so
/// readers, who glob <c>*.parquet</c>, never see a file that is still being written or that a
/// crash left uncommitted.
/// </summary>
public sealed class ArchiveLayout(string root)
{
    public const string Pending = ".pending";

    public string Root { get; } = Path.GetFullPath(root);

    public string TypeFolder(string eventType) => Path.Combine(Root, eventType);

    public string DayFolder(string eventType, DateOnly day) => Path.Combine(TypeFolder(eventType), DayPartition(day));

    /// <summary>A new file's path relative to the root, '/'-separated (as the database stores it).</summary>
    public static string NewPart(string eventType, DateOnly day, DateTime now) =>
        $"{eventType}/{DayPartition(day)}/part-{now:yyyyMMdd'T'HHmmss}-{Guid.NewGuid():N}.parquet";

    public string FullPath(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    public string Relative(string fullPath) => Path.GetRelativePath(Root, fullPath).Replace(Path.DirectorySeparatorChar, '/');

    /// <summary>The glob of a type's committed files, for DuckDB's <c>read_parquet</c>.</summary>
    public string Glob(string eventType) => Path.Combine(TypeFolder(eventType), "day=*", "*.parquet").Replace('\\', '/');

    public static string DayPartition(DateOnly day) => "day=" + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The day of a partition folder (<c>day=2026-11-30</c>), or null for anything else.</summary>
    public static DateOnly? DayOf(string folderName) =>
        folderName.StartsWith("day=", StringComparison.Ordinal) && DateOnly.TryParseExact(folderName[4..], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day : null;
}
