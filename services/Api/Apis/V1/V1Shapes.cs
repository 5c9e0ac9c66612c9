using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http.HttpResults;
using Papers.Api.Browse;
using Papers.Api.Web;
using Papers.ServiceDefaults.Security;

namespace Papers.Api.Apis.V1;

/// <summary>A topic a paper carries: an arXiv category or a tagger topic, with the tagger's score (1 for the paper's own categories).</summary>
public record TopicScoreV1(string Id, string Name, double Score);

public record PaperLinksV1(string Page, string? Abs, string? Pdf, string? Doi);

/// <summary>A paper in <c>/v1</c>: our own shape (dates as <c>YYYY-MM-DD</c>); <c>fields=</c> keeps only the named fields (<c>id</c> always).</summary>
public record PaperV1(
    string Id,
    string Title,
    string Abstract,
    IReadOnlyList<string> Authors,
    string? PublishedOn,
    string ListedOn,
    int Version,
    string? PrimaryCategory,
    IReadOnlyList<string> Categories,
    IReadOnlyList<TopicScoreV1> Topics,
    IReadOnlyList<string> Keywords,
    int Upvotes,
    string Source,
    string? Comments,
    string? JournalRef,
    string? Doi,
    IReadOnlyList<string> Dois,
    string? License,
    bool Enriched,
    PaperLinksV1 Links)
{
    public static readonly IReadOnlySet<string> FieldNames = new HashSet<string>(StringComparer.Ordinal)
    {
        "id", "title", "abstract", "authors", "publishedOn", "listedOn", "version", "primaryCategory", "categories", "topics",
        "keywords", "upvotes", "source", "comments", "journalRef", "doi", "dois", "license", "enriched", "links",
    };

    public static PaperV1 Of(ListedPaper listed, FacetIndex facets, Func<string, string> link)
    {
        var p = listed.Paper;
        var e = listed.Current;
        var arxiv = Format.IsArxiv(p.PaperId);
        var topics = p.Categories.Select(c => new TopicScoreV1(c, facets.TopicName(c), 1))
            .Concat((e?.Tags ?? []).Where(t => !p.Categories.Contains(t.Topic)).Select(t => new TopicScoreV1(t.Topic, t.Name, t.Score)))
            .ToList();
        return new PaperV1(p.PaperId, p.Title, p.Abstract, [.. p.Authors.Select(a => a.Name)], Format.Iso(p.PublishedOn) is { Length: > 0 } d ? d : null,
            Format.Iso(p.ListedOn), p.Version, p.PrimaryCategory, p.Categories, topics, e?.Keywords ?? [], p.Upvotes, p.Source,
            p.Comments, p.JournalRef, p.Doi, p.Dois, p.License, e is not null,
            new PaperLinksV1(link(Format.PaperUrl(p.PaperId)), arxiv ? $"https://arxiv.org/abs/{p.PaperId}" : null,
                arxiv ? $"https://arxiv.org/pdf/{p.PaperId}" : null, p.Doi is { Length: > 0 } doi ? $"https://doi.org/{doi}" : null));
    }
}

/// <summary>A page of a <c>/v1</c> listing: <c>nextCursor</c> fetches the next one (null on the last); <c>total</c> where it is known cheaply.</summary>
public record PageV1(IReadOnlyList<JsonObject> Data, string? NextCursor, [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] int? Total = null);

public record BatchRequestV1(IReadOnlyList<string>? Ids);

public record BatchV1(IReadOnlyList<JsonObject?> Data);

public record TopicV1(string Id, string Name, int Papers, bool IsArxivCategory, string? Description, TopicLinksV1 Links);

public record TopicLinksV1(string Page, string Papers, string Rss, string Atom);

/// <summary>Stable error codes of <c>/v1</c> (the <c>code</c> member of every problem): see the API reference.</summary>
public static class ErrorCodes
{
    public const string InvalidParameter = "invalid_parameter";
    public const string InvalidCursor = "invalid_cursor";
    public const string UnknownField = "unknown_field";
    public const string NotFound = "not_found";
}

/// <summary>What every <c>/v1</c> handler shares: field selection, opaque cursors, problems with codes, cached JSON.</summary>
public static class V1
{
    public static ValidationProblem Invalid(Dictionary<string, string[]> errors, string code = ErrorCodes.InvalidParameter) =>
        TypedResults.ValidationProblem(errors, title: "Invalid request", extensions: new Dictionary<string, object?> { ["code"] = code });

    public static ProblemHttpResult NotFound(string what, string id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: $"{what} not found",
            detail: $"No {what.ToLowerInvariant()} has the id '{Problems.Echo(id)}'.", extensions: new Dictionary<string, object?> { ["code"] = ErrorCodes.NotFound });

    /// <summary>The fields a <c>fields=</c> value keeps; null for all. Unknown names go to <paramref name="errors"/>.</summary>
    public static IReadOnlySet<string>? Fields(string? fields, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(fields))
            return null;
        var names = fields.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal);
        var unknown = names.Where(n => !PaperV1.FieldNames.Contains(n)).Take(5).ToList();
        if (unknown.Count > 0)
            errors["fields"] = [$"Unknown field(s) {string.Join(", ", unknown.Select(u => $"'{Problems.Echo(u)}'"))}; fields are {string.Join(", ", PaperV1.FieldNames)}."];
        names.Add("id");
        return names;
    }

    public static JsonObject Select(PaperV1 paper, IReadOnlySet<string>? fields, JsonSerializerOptions json)
    {
        var node = JsonSerializer.SerializeToNode(paper, json)!.AsObject();
        if (fields is not null)
            foreach (var name in node.Select(p => p.Key).Where(k => !fields.Contains(k)).ToList())
                node.Remove(name);
        return node;
    }

    public static string Cursor(string kind, string value) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{kind}|{value}")).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>The value of a cursor of this kind, or null (and an error) when it is not one we issued.</summary>
    public static string? FromCursor(string? cursor, string kind, Dictionary<string, string[]> errors)
    {
        if (cursor is null)
            return null;
        try
        {
            var padded = cursor.Replace('-', '+').Replace('_', '/');
            padded += new string('=', (4 - padded.Length % 4) % 4);
            var text = Encoding.UTF8.GetString(Convert.FromBase64String(padded));
            if (text.StartsWith(kind + "|", StringComparison.Ordinal))
                return text[(kind.Length + 1)..];
        }
        catch (FormatException)
        {
        }
        errors["cursor"] = [$"cursor '{Problems.Echo(cursor)}' is not one this listing issued; start without one."];
        return null;
    }

    /// <summary>An offset cursor's position (0 without a cursor).</summary>
    public static int Offset(string? cursor, Dictionary<string, string[]> errors, int max)
    {
        var value = FromCursor(cursor, "o", errors);
        if (value is null)
            return 0;
        if (int.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var offset) && offset <= max)
            return offset;
        errors["cursor"] = [$"cursor '{Problems.Echo(cursor)}' is not one this listing issued; start without one."];
        return 0;
    }

    public static void Limit(int limit, int max, Dictionary<string, string[]> errors)
    {
        if (limit < 1 || limit > max)
            errors["limit"] = [$"limit must be between 1 and {max}; got {limit}."];
    }

    public static DateOnly? Date(string? text, string name, Dictionary<string, string[]> errors)
    {
        if (text is null)
            return null;
        if (DateOnly.TryParseExact(text, "yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.None, out var day))
            return day;
        errors[name] = [$"{name} must be YYYY-MM-DD; got '{Problems.Echo(text)}'."];
        return null;
    }

    /// <summary>A read's JSON with an ETag and <c>Cache-Control</c> (304 when the client has it).</summary>
    public static IResult Cached<T>(T value, JsonSerializerOptions json, TimeSpan maxAge) =>
        new CachedResult(JsonSerializer.SerializeToUtf8Bytes(value, json), "application/json; charset=utf-8", maxAge);
}
