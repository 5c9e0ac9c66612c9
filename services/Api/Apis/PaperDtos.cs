using System.Text.Json.Serialization;
using Papers.Api.Data;
using Papers.Contracts;

namespace Papers.Api.Apis;

/// <summary>An author in the Hugging Face daily-papers shape.</summary>
public record AuthorDto([property: JsonPropertyName("_id")] string Id, string Name, bool Hidden);

/// <summary>
/// A paper in the Hugging Face <c>/api/papers/{id}</c> shape (so existing clients work), plus
/// what we add: categories, tags with scores, version.
/// </summary>
public record PaperDto(
    string Id,
    string Title,
    string Summary,
    IReadOnlyList<AuthorDto> Authors,
    string? PublishedAt,
    string SubmittedOnDailyAt,
    int Upvotes,
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
    string? SubmittedBy,
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
    public static PaperDto ToDto(this PaperRecord p, EnrichmentRecord? e)
    {
        var current = e is not null && e.ContentHash == p.ContentHash ? e : null;
        var isArxiv = !p.PaperId.StartsWith("p-", StringComparison.Ordinal);
        return new PaperDto(
            p.PaperId, p.Title, p.Abstract,
            p.Authors.Select((a, i) => new AuthorDto($"{p.PaperId}#{i}", a.Name, false)).ToList(),
            p.PublishedOn?.ToString("yyyy-MM-dd"), p.ListedOn.ToString("yyyy-MM-dd"), p.Upvotes,
            current?.Keywords ?? [], p.Version, p.PrimaryCategory, p.Categories, current?.Tags ?? [],
            current?.PredictedPrimaryCategory, p.Source, p.Comments, p.JournalRef, p.Doi,
            isArxiv ? $"https://arxiv.org/abs/{p.PaperId}" : null, current is not null);
    }

    public static PaperItemDto ToItem(this PaperRecord p, EnrichmentRecord? e, double? score = null, double? similarity = null, string? matchedBy = null)
    {
        var dto = p.ToDto(e);
        return new PaperItemDto(dto, dto.Title, dto.Summary, dto.PublishedAt, null, 0, p.SubmittedBy, false, score, similarity, matchedBy);
    }
}
