namespace Papers.Notifications.Digests;

/// <summary>Section <c>Digests</c>.</summary>
public sealed class DigestOptions
{
    public const string Section = "Digests";

    /// <summary>When digests go out (cron, UTC); weekday mornings like the lists users know. Empty: only on request.</summary>
    public string? Cron { get; set; } = "0 7 * * 1-5";

    /// <summary>Most papers in one digest.</summary>
    public int MaxPapers { get; set; } = 10;

    /// <summary>Cosine similarity between a topic and a paper below which the paper is not of that topic.</summary>
    public double MinTopicSimilarity { get; set; } = 0.3;

    /// <summary>A new subscriber's first digest looks back this far.</summary>
    public TimeSpan FirstDigestLookback { get; set; } = TimeSpan.FromDays(7);
}
