namespace Papers.Api.Backlogs;

/// <summary>
/// How a change that every stored paper must get (a new embedding model, a promoted tagger
/// model) reaches them through the pipeline: one request per paper, a bounded number unanswered at
/// once, asked again when unanswered, given up after a few tries.
/// </summary>
public abstract class BacklogOptions
{
    /// <summary>Off: papers keep what they have.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Requests outstanding at once: bounds the queue ahead of newly ingested papers.</summary>
    public int MaxInFlight { get; set; } = 1_000;

    /// <summary>Requests written per transaction.</summary>
    public int BatchSize { get; set; } = 200;

    /// <summary>A request not answered by then is sent again (lost, or dropped by a replica that could not answer it yet).</summary>
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Requests per paper and target before giving up on it (counted in <c>/api/stats</c>).</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>How often to look for work when nothing signals (changes through other replicas).</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Room for new requests, given those unanswered: 0 until a quarter batch is free while
    /// requests are out, so a pass fills many places rather than one.
    /// </summary>
    public int Room(int inFlight)
    {
        var room = Math.Min(BatchSize, MaxInFlight - inFlight);
        return room <= 0 || inFlight > 0 && room < Math.Max(1, Math.Min(BatchSize, MaxInFlight) / 4) ? 0 : room;
    }

    /// <summary>Throws, naming <paramref name="section"/>'s keys and values, when a value can't work.</summary>
    public virtual void Validate(string section)
    {
        if (MaxInFlight < 1 || BatchSize < 1 || MaxAttempts < 1)
            throw new InvalidOperationException(
                $"{section}:MaxInFlight ({MaxInFlight}), {section}:BatchSize ({BatchSize}) and {section}:MaxAttempts ({MaxAttempts}) must each be at least 1.");
        if (RetryAfter <= TimeSpan.Zero || PollInterval <= TimeSpan.Zero)
            throw new InvalidOperationException(
                $"{section}:RetryAfter ({RetryAfter}) and {section}:PollInterval ({PollInterval}) must be positive durations (hh:mm:ss).");
    }
}
