using Papers.Api.Backlogs;

namespace Papers.Api.Retagging;

/// <summary>
/// Section <c>Retagging</c>: how a promoted (or rolled back) tagger model reaches the stored papers
/// whose tags were predicted. A request carries the stored vector and Enrichment only tags it (no
/// embedding), so 1,000 outstanding are seconds of work for one replica. Off (<c>Enabled</c>
/// false): stored papers keep their tags; new papers get the promoted model's.
/// </summary>
public sealed class RetaggingOptions : BacklogOptions
{
    public const string Section = "Retagging";
}
