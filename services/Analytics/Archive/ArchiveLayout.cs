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

    /// <summary>
    /// The folder of per-paper counts (<see cref="PerPaper"/>): beside the type folders, so that a
    /// glob of a type's files never reads one.
    /// </summary>
    public const string PerPaperFolder = "_per-paper";

    public string Root { get; } = Path.GetFullPath(root);

    public string TypeFolder(string eventType) => Path.Combine(Root, eventType);

    public string DayFolder(string eventType, DateOnly day) => Path.Combine(TypeFolder(eventType), DayPartition(day));

    public string PerPaperTypeFolder(string eventType) => Path.Combine(Root, PerPaperFolder, eventType);

    /// <summary>A new file's path relative to the root, '/'-separated (as the database stores it).</summary>
    public static string NewPart(string eventType, DateOnly day, DateTime now) =>
        $"{eventType}/{DayPartition(day)}/part-{now:yyyyMMdd'T'HHmmss}-{Guid.NewGuid():N}.parquet";

    /// <summary>The path of the file a day's files are compacted into (<see cref="ArchiveCompaction"/>).</summary>
    public static string NewCompacted(string eventType, DateOnly day, DateTime now) =>
        $"{eventType}/{DayPartition(day)}/compact-{now:yyyyMMdd'T'HHmmss}-{Guid.NewGuid():N}.parquet";

    /// <summary>
    /// The events per paper of a compacted file (written with it: <see cref="ArchiveCompaction"/>),
    /// same type, day and name, under <see cref="PerPaperFolder"/>.
    /// </summary>
    public static string PerPaper(string relative) => $"{PerPaperFolder}/{relative}";

    /// <summary>The compacted file whose per-paper counts are at <paramref name="relative"/>, or null when it is no such path.</summary>
    public static string? OfPerPaper(string relative) =>
        relative.StartsWith(PerPaperFolder + "/", StringComparison.Ordinal) ? relative[(PerPaperFolder.Length + 1)..] : null;

    public static bool IsCompacted(string relative) => Path.GetFileName(relative).StartsWith("compact-", StringComparison.Ordinal);

    /// <summary>
    /// Where a committed file is on the disk: under its final name, or still under its pending name
    /// when a crash came between the commit and the rename (it counts all the same); null when it is
    /// under neither (deleted since the caller read the list: a compaction replaced it).
    /// </summary>
    public string? Locate(string relative)
    {
        var path = FullPath(relative);
        return File.Exists(path) ? path : File.Exists(path + Pending) ? path + Pending : null;
    }

    public string FullPath(string relative) => Path.Combine(Root, relative.Replace('/', Path.DirectorySeparatorChar));

    public string Relative(string fullPath) => Path.GetRelativePath(Root, fullPath).Replace(Path.DirectorySeparatorChar, '/');

    /// <summary>The glob of a type's committed files, for DuckDB's <c>read_parquet</c>.</summary>
    public string Glob(string eventType) => Path.Combine(TypeFolder(eventType), "day=*", "*.parquet").Replace('\\', '/');

    public static string DayPartition(DateOnly day) => "day=" + day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    /// <summary>The day of a partition folder (<c>day=2026-11-30</c>), or null for anything else.</summary>
    public static DateOnly? DayOf(string folderName) =>
        folderName.StartsWith("day=", StringComparison.Ordinal) && DateOnly.TryParseExact(folderName[4..], "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var day) ? day : null;
}
