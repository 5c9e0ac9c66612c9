using System.Text.Json.Serialization;
using Papers.Api.Data;
using Papers.Contracts;

namespace Papers.Api.Apis;

/// <summary>An author in the Hugging Face daily-papers shape (no accounts here: never <c>user</c>).</summary>
public record AuthorDto([property: JsonPropertyName("_id")] string Id, string Name, bool Hidden);

/// <summary>
/// Who put a paper on the daily list, in the shape of Hugging Face's <c>submittedBy</c> and
/// <c>paper.submittedOnDailyBy</c> users: a source (<c>type</c> "source": a harvest or an import,
/// <c>_id</c> its name such as <c>arxiv-oai</c>) or a caller of ours (<c>type</c> "visitor" or "key",
/// <c>_id</c> the pseudonymous <c>v-…</c> or <c>k-…</c>). There are no avatars or follows here.
/// </summary>
public record SubmitterDto(
    [property: JsonPropertyName("_id")] string Id,
    string Name,
    string Fullname,
    string Type,
    string User,
    string? AvatarUrl,
    bool IsPro,
    bool IsHf,
    bool IsHfAdmin,
    bool IsMod,
    bool IsUserFollowing)
{
    public static SubmitterDto Of(string source, string? submittedBy)
    {
        if (source == "submission" && !string.IsNullOrEmpty(submittedBy))
        {
            var (type, fullname) = submittedBy.StartsWith("k-", StringComparison.Ordinal) ? ("key", "an API client") : ("visitor", "a visitor");
            return new(submittedBy, submittedBy, fullname, type, submittedBy, null, false, false, false, false, false);
        }
        var name = source switch
        {
            "arxiv-oai" => "arXiv (OAI-PMH harvest)",
            "arxiv-api" => "arXiv (query API)",
            "hf-daily" => "Hugging Face Daily Papers",
            "submission" => "a submission",
            _ => $"import ({source})",
        };
        return new(source, source, name, "source", source, null, false, false, false, false, false);
    }
}

/// <summary>
/// A paper in the Hugging Face <c>/api/papers/{id}</c> shape (so existing clients work: dates are
/// <c>2025-01-15T00:00:00.000Z</c> as theirs; what we have no data for is null), plus what we add:
/// categories, tags with scores, version, source, links.
/// </summary>
public record PaperDto(
    string Id,
    string Title,
    string Summary,
    IReadOnlyList<AuthorDto> Authors,
    string? PublishedAt,
    string SubmittedOnDailyAt,
    SubmitterDto SubmittedOnDailyBy,
    int Upvotes,
    string? DiscussionId,
    [property: JsonPropertyName("ai_summary")] string? AiSummary,
    [property: JsonPropertyName("ai_summary_model")] string? AiSummaryModel,
    [property: JsonPropertyName("ai_keywords")] IReadOnlyList<string> AiKeywords,
    int Version,
    string? PrimaryCategory,
    IReadOnlyList<string> Categories,
    IReadOnlyList<TopicTag> Tags,
    string? PredictedPrimaryCategory,
    string Source,
    string? Comments,
    string? JournalRef,
    string? Doi,
    IReadOnlyList<string> Dois,
    string? ArxivUrl,
    bool Enriched);

/// <summary>An item of a listing, in the Hugging Face daily-papers shape; search and similar add their score.</summary>
public record PaperItemDto(
    PaperDto Paper,
    string Title,
    string Summary,
    string? PublishedAt,
    string? Thumbnail,
    int NumComments,
    SubmitterDto SubmittedBy,
    bool IsAuthorParticipating,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Score = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] double? Similarity = null,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? MatchedBy = null);

/// <param name="Counted">Whether this request changed the count (false for a repeat).</param>
/// <param name="Voted">Whether the caller's upvote stands now.</param>
public record UpvoteResult(string PaperId, int Upvotes, bool Counted, bool Voted);

/// <summary>A page of <c>GET /api/papers</c>; <c>NextCursor</c> is null on the last page.</summary>
public record PaperPage(IReadOnlyList<PaperItemDto> Items, string? NextCursor);

public static class PaperMapping
{
    /// <summary>A day as Hugging Face writes its timestamps: <c>2025-01-15T00:00:00.000Z</c>.</summary>
    public static string HfTimestamp(DateOnly day) => day.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture) + "T00:00:00.000Z";

    public static PaperDto ToDto(this PaperRecord p, EnrichmentRecord? e)
    {
        var current = e is not null && e.ContentHash == p.ContentHash ? e : null;
        var isArxiv = !p.PaperId.StartsWith("p-", StringComparison.Ordinal);
        return new PaperDto(
            p.PaperId, p.Title, p.Abstract,
            p.Authors.Select((a, i) => new AuthorDto($"{p.PaperId}#{i}", a.Name, false)).ToList(),
            p.PublishedOn is { } published ? HfTimestamp(published) : null, HfTimestamp(p.ListedOn),
            SubmitterDto.Of(p.Source, p.SubmittedBy), p.Upvotes, null, null, null,
            current?.Keywords ?? [], p.Version, p.PrimaryCategory, p.Categories, current?.Tags ?? [],
            current?.PredictedPrimaryCategory, p.Source, p.Comments, p.JournalRef, p.Doi, p.Dois,
            isArxiv ? $"https://arxiv.org/abs/{p.PaperId}" : null, current is not null);
    }

    public static PaperItemDto ToItem(this PaperRecord p, EnrichmentRecord? e, double? score = null, double? similarity = null, string? matchedBy = null)
    {
        var dto = p.ToDto(e);
        return new PaperItemDto(dto, dto.Title, dto.Summary, dto.PublishedAt, null, 0, dto.SubmittedOnDailyBy, false, score, similarity, matchedBy);
    }
}
