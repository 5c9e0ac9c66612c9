namespace Papers.Analytics.Archive;

/// <summary>Section <c>Analytics</c>: where the archive lives, how it is written, how long it is kept.</summary>
public sealed class ArchiveOptions
{
    public const string Section = "Analytics";

    /// <summary>The archive's root folder (a local folder, or a mounted volume in a cluster). Relative paths are relative to the working directory.</summary>
    public string Root { get; set; } = "data/archive";

    /// <summary>At most this many events of one type go into one file (one consumer batch); more files when a batch spans several days.</summary>
    public int BatchSize { get; set; } = 2000;

    /// <summary>A batch is written (and its messages acknowledged) at the latest this long after its first message arrived.</summary>
    public TimeSpan FlushAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Batches of one event type written at the same time by one replica (the next batch fills while one is written).</summary>
    public int ConcurrentBatches { get; set; } = 2;

    /// <summary>
    /// A day's files are compacted into one (<see cref="ArchiveCompaction"/>) once the day ended this
    /// long ago; a later, late event adds a file that the next pass compacts again.
    /// </summary>
    public TimeSpan CompactAfter { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Day partitions compacted per maintenance pass (every minute), at most.</summary>
    public int CompactDaysPerPass { get; set; } = 100;

    /// <summary>Days an event type's partitions are kept, unless <see cref="RetentionDaysByType"/> names the type.</summary>
    public int RetentionDays { get; set; } = 730;

    /// <summary>Per event type (<c>PaperViewed: 90</c>): days its partitions are kept.</summary>
    public Dictionary<string, int> RetentionDaysByType { get; set; } = [];

    /// <summary>Fields never archived, besides those that hold addresses (<see cref="ArchivePrivacy"/>): <c>Type.field</c>.</summary>
    public List<string> DropFields { get; set; } = [];

    public string RootPath => Path.GetFullPath(Root);

    public int RetentionFor(string eventType) => RetentionDaysByType.TryGetValue(eventType, out var days) ? days : RetentionDays;

    /// <summary>The first day still kept for <paramref name="eventType"/> on <paramref name="today"/>.</summary>
    public DateOnly KeptFrom(string eventType, DateOnly today) => today.AddDays(1 - RetentionFor(eventType));
}
