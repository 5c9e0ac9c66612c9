namespace Papers.Notifications.Digests;

/// <summary>Section <c>Digests</c>.</summary>
public sealed class DigestOptions
{
    public const string Section = "Digests";

    /// <summary>How often every replica looks for due digests (each subscriber's own hour and zone decide when one is due); zero: only on request.</summary>
    public TimeSpan WakeEvery { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Most papers in one digest.</summary>
    public int MaxPapers { get; set; } = 10;

    /// <summary>Cosine similarity between a topic (or seed paper) and a paper below which the paper is not of that topic.</summary>
    public double MinTopicSimilarity { get; set; } = 0.3;

    /// <summary>What popularity adds to a paper's match, per tenfold upvotes (log10(1 + upvotes)).</summary>
    public double PopularityWeight { get; set; } = 0.1;

    /// <summary>A new subscriber's first digest looks back this far.</summary>
    public TimeSpan FirstDigestLookback { get; set; } = TimeSpan.FromDays(7);

    /// <summary>No digest looks back further than this (a subscriber back from a long pause gets recent papers, not months of them).</summary>
    public TimeSpan MaxLookback { get; set; } = TimeSpan.FromDays(14);

    /// <summary>Digests chosen and claimed together, then sent over <see cref="Mail.MailOptions.Connections"/> SMTP connections.</summary>
    public int BatchSize { get; set; } = 200;
}
