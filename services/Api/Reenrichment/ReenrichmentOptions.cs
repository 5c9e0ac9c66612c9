namespace Papers.Api.Reenrichment;

/// <summary>Section <c>Reenrichment</c>: how a change of embedding model reaches the stored papers.</summary>
public sealed class ReenrichmentOptions
{
    public const string Section = "Reenrichment";

    /// <summary>Off: papers keep the vectors of the model that made them (semantic search then skips them).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>
    /// Requests outstanding at once. Bounds the queue ahead of newly ingested papers: at ~30
    /// papers/s per CPU replica, 1,000 is about half a minute of work.
    /// </summary>
    public int MaxInFlight { get; set; } = 1_000;

    /// <summary>Requests written per transaction.</summary>
    public int BatchSize { get; set; } = 200;

    /// <summary>A request not answered by then is sent again (lost, or answered by a replica still on the old model).</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Requests per paper and model before giving up on it (counted in <c>/api/stats</c>).</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>
    /// A model no Enrichment replica announced for this long is gone (replicas repeat their
    /// announcement every <c>Embedding:AnnounceEvery</c>, 5 minutes): it no longer decides the target.
    /// </summary>
    public TimeSpan ModelAliveFor { get; set; } = TimeSpan.FromMinutes(16);

    /// <summary>How often to look for work when nothing signals (changes through other replicas).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    internal void Validate()
    {
        if (MaxInFlight < 1 || BatchSize < 1 || MaxAttempts < 1)
            throw new InvalidOperationException(
                $"Reenrichment:MaxInFlight ({MaxInFlight}), Reenrichment:BatchSize ({BatchSize}) and Reenrichment:MaxAttempts ({MaxAttempts}) must each be at least 1.");
        if (RetryAfter <= TimeSpan.Zero || PollInterval <= TimeSpan.Zero || ModelAliveFor <= TimeSpan.Zero)
            throw new InvalidOperationException(
                $"Reenrichment:RetryAfter ({RetryAfter}), Reenrichment:PollInterval ({PollInterval}) and Reenrichment:ModelAliveFor ({ModelAliveFor}) must be positive durations (hh:mm:ss).");
    }
}
