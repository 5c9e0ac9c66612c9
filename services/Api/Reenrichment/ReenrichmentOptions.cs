using Papers.Api.Backlogs;

namespace Papers.Api.Reenrichment;

/// <summary>
/// Section <c>Reenrichment</c>: how a change of embedding model reaches the stored papers. Off
/// (<c>Enabled</c> false): papers keep the vectors of the model that made them (semantic search
/// then skips them). <c>MaxInFlight</c> 1,000 is about half a minute of work at ~30 papers/s per
/// CPU replica.
/// </summary>
public sealed class ReenrichmentOptions : BacklogOptions
{
    public const string Section = "Reenrichment";

    /// <summary>
    /// A model no Enrichment replica announced for this long is gone (replicas repeat their
    /// announcement every <c>Embedding:AnnounceEvery</c>, 5 minutes): it no longer decides the target.
    /// </summary>
    public TimeSpan ModelAliveFor { get; set; } = TimeSpan.FromMinutes(16);

    internal void Validate() => Validate(Section);

    public override void Validate(string section)
    {
        base.Validate(section);
        if (ModelAliveFor <= TimeSpan.Zero)
            throw new InvalidOperationException($"{section}:ModelAliveFor ({ModelAliveFor}) must be a positive duration (hh:mm:ss).");
    }
}
