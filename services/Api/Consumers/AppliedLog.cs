namespace Papers.Api.Consumers;

/// <summary>
/// The log of changes the consumers applied to the read model: category <c>Papers.Api.Applied</c>,
/// at Information, one line per event that changed a row (never for a duplicate or a stale event).
/// The cluster tests count these lines per replica to prove each change was applied once.
/// </summary>
public static class AppliedLog
{
    public const string Category = "Papers.Api.Applied";

    public static ILogger Create(ILoggerFactory logs) => logs.CreateLogger(Category);
}
