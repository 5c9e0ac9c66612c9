using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Papers.Api.Accounts;
using Papers.Api.Data;
using Papers.ServiceDefaults.Security;

namespace Papers.Api.Library;

public sealed record CollectionSummary(Guid Id, string Name, bool IsPublic, int Papers, DateTime CreatedAt);

public sealed record SavedPaperView(string PaperId, string? Title, IReadOnlyList<string> Tags, DateTime SavedAt);

public sealed record CollectionView(Guid Id, string Name, bool IsPublic, DateTime CreatedAt, IReadOnlyList<SavedPaperView> Papers);

public sealed record CollectionChange(string? Name, bool? IsPublic);

public sealed record SavePaper(List<string>? Tags);

/// <summary>
/// The library: an account's named collections (public or private) of saved, tagged papers. Only
/// the owner changes a collection or reads a private one; to anyone else a private collection
/// does not exist (404, the same answer as for an unknown id). Names and tags are plain text
/// (no control characters; pages and feeds escape them).
/// </summary>
public static class LibraryApi
{
    public static IEndpointRouteBuilder MapLibraryApi(this IEndpointRouteBuilder app)
    {
        var mine = app.MapGroup("/api/library/collections").WithTags("Library")
            .RequireAuthorization(Policies.Account)
            .RequireAntiforgeryForVisitors();
        mine.MapGet("/", ListAsync).WithName("ListCollections").RateLimited(RequestClass.Read)
            .WithSummary("Your collections.");
        mine.MapPost("/", CreateAsync).WithName("CreateCollection").RateLimited(RequestClass.Write)
            .WithSummary("A new collection {name, isPublic} (private unless isPublic is true).");
        mine.MapPatch("/{id:guid}", ChangeAsync).WithName("ChangeCollection").RateLimited(RequestClass.Write)
            .WithSummary("Rename a collection or make it public or private.");
        mine.MapDelete("/{id:guid}", DeleteAsync).WithName("DeleteCollection").RateLimited(RequestClass.Write)
            .WithSummary("Delete a collection and what is saved in it.");
        mine.MapPut("/{id:guid}/papers/{paperId}", SaveAsync).WithName("SavePaper").RateLimited(RequestClass.Write)
            .WithSummary("Save a paper in a collection with tags {tags} (saving again replaces the tags).");
        mine.MapDelete("/{id:guid}/papers/{paperId}", RemoveAsync).WithName("RemovePaper").RateLimited(RequestClass.Write)
            .WithSummary("Remove a paper from a collection.");
        mine.MapPost("/{id:guid}/import", LibraryTransfer.ImportAsync).WithName("ImportPapers").RateLimited(RequestClass.Write)
            .MaxBodySize(LibraryLimits.ImportBytes)
            .WithSummary($"Save the papers of a BibTeX file or a list of arXiv ids (text; at most {LibraryLimits.ImportEntries} entries, {LibraryLimits.ImportBytes / 1024} KiB).");

        var shared = app.MapGroup("/api/collections").WithTags("Library");
        shared.MapGet("/{id:guid}", ReadAsync).WithName("ReadCollection").RateLimited(RequestClass.Read)
            .WithSummary("A public collection, or your own.");
        shared.MapGet("/{id:guid}/export", LibraryTransfer.ExportAsync).WithName("ExportCollection").RateLimited(RequestClass.Read)
            .WithSummary("A public collection, or your own, as BibTeX (format=bibtex) or JSON (format=json).");
        return app;
    }

    internal static Guid AccountOf(HttpContext http) => Guid.Parse(Caller.Of(http).AccountId!);

    internal static async Task<Ok<List<CollectionSummary>>> ListAsync(HttpContext http, ApiDbContext db, CancellationToken cancellationToken)
    {
        var account = AccountOf(http);
        return TypedResults.Ok(await db.Collections.Where(c => c.AccountId == account).OrderBy(c => c.CreatedAt)
            .Select(c => new CollectionSummary(c.Id, c.Name, c.IsPublic, c.Papers.Count, c.CreatedAt)).ToListAsync(cancellationToken));
    }

    internal static async Task<Results<Created<CollectionSummary>, ProblemHttpResult>> CreateAsync(CollectionChange body, HttpContext http, ApiDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (CheckName(body.Name ?? "") is { } invalid)
            return invalid;
        var account = AccountOf(http);
        if (await db.Collections.CountAsync(c => c.AccountId == account, cancellationToken) >= LibraryLimits.Collections)
            return Problem(StatusCodes.Status409Conflict, "Too many collections", $"An account keeps at most {LibraryLimits.Collections} collections; delete one first.");
        var collection = new Collection { Id = Guid.NewGuid(), AccountId = account, Name = body.Name!.Trim(), IsPublic = body.IsPublic ?? false, CreatedAt = clock.GetUtcNow().UtcDateTime };
        db.Collections.Add(collection);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"/api/collections/{collection.Id}", new CollectionSummary(collection.Id, collection.Name, collection.IsPublic, 0, collection.CreatedAt));
    }

    internal static async Task<Results<Ok<CollectionSummary>, ProblemHttpResult>> ChangeAsync(Guid id, CollectionChange body, HttpContext http, ApiDbContext db, CancellationToken cancellationToken)
    {
        if (body.Name is not null && CheckName(body.Name) is { } invalid)
            return invalid;
        var collection = await OwnAsync(db, http, id, cancellationToken);
        if (collection is null)
            return CollectionNotFound(id);
        collection.Name = body.Name?.Trim() ?? collection.Name;
        collection.IsPublic = body.IsPublic ?? collection.IsPublic;
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new CollectionSummary(collection.Id, collection.Name, collection.IsPublic, await db.SavedPapers.CountAsync(p => p.CollectionId == id, cancellationToken), collection.CreatedAt));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(Guid id, HttpContext http, ApiDbContext db, CancellationToken cancellationToken)
    {
        var account = AccountOf(http);
        await db.SavedPapers.Where(p => p.CollectionId == id && db.Collections.Any(c => c.Id == id && c.AccountId == account)).ExecuteDeleteAsync(cancellationToken);
        return await db.Collections.Where(c => c.Id == id && c.AccountId == account).ExecuteDeleteAsync(cancellationToken) == 0
            ? CollectionNotFound(id) : TypedResults.NoContent();
    }

    internal static async Task<Results<Ok<SavedPaperView>, ProblemHttpResult>> SaveAsync(Guid id, string paperId, SavePaper body, HttpContext http, ApiDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var tags = (body.Tags ?? []).Select(t => t.Trim()).Where(t => t.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
        if (tags.Count > LibraryLimits.TagsPerPaper)
            return Invalid("tags", $"At most {LibraryLimits.TagsPerPaper} tags a paper, not {tags.Count}.");
        if (tags.FirstOrDefault(t => t.Length > LibraryLimits.TagLength || t.Any(char.IsControl)) is { } bad)
            return Invalid("tags", $"The tag '{Problems.Echo(bad)}' is longer than {LibraryLimits.TagLength} characters or holds control characters.");
        var collection = await OwnAsync(db, http, id, cancellationToken);
        if (collection is null)
            return CollectionNotFound(id);
        var title = await db.Papers.Where(p => p.PaperId == paperId).Select(p => p.Title).SingleOrDefaultAsync(cancellationToken);
        if (title is null)
            return Apis.PapersApi.NotFound(paperId);
        var saved = await db.SavedPapers.SingleOrDefaultAsync(p => p.CollectionId == id && p.PaperId == paperId, cancellationToken);
        if (saved is null)
        {
            if (await db.SavedPapers.CountAsync(p => p.CollectionId == id, cancellationToken) >= LibraryLimits.PapersPerCollection)
                return Problem(StatusCodes.Status409Conflict, "Collection full", $"A collection keeps at most {LibraryLimits.PapersPerCollection} papers.");
            saved = new SavedPaper { CollectionId = id, PaperId = paperId, SavedAt = clock.GetUtcNow().UtcDateTime };
            db.SavedPapers.Add(saved);
        }
        saved.Tags = tags;
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // A concurrent save of the same paper won: it is saved; the caller may repeat for its tags.
            return Problem(StatusCodes.Status409Conflict, "Saved concurrently", $"'{Problems.Echo(paperId)}' was being saved at the same time; repeat to set its tags.");
        }
        return TypedResults.Ok(new SavedPaperView(paperId, title, saved.Tags, saved.SavedAt));
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> RemoveAsync(Guid id, string paperId, HttpContext http, ApiDbContext db, CancellationToken cancellationToken)
    {
        if (await OwnAsync(db, http, id, cancellationToken) is null)
            return CollectionNotFound(id);
        await db.SavedPapers.Where(p => p.CollectionId == id && p.PaperId == paperId).ExecuteDeleteAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    internal static async Task<Results<Ok<CollectionView>, ProblemHttpResult>> ReadAsync(Guid id, HttpContext http, ApiDbContext db, CancellationToken cancellationToken)
    {
        var collection = await VisibleAsync(db, http, id, cancellationToken);
        if (collection is null)
            return CollectionNotFound(id);
        var papers = await (from s in db.SavedPapers
                            where s.CollectionId == id
                            join p in db.Papers on s.PaperId equals p.PaperId into found
                            from p in found.DefaultIfEmpty()
                            orderby s.SavedAt descending
                            select new SavedPaperView(s.PaperId, p == null ? null : p.Title, s.Tags, s.SavedAt)).ToListAsync(cancellationToken);
        return TypedResults.Ok(new CollectionView(collection.Id, collection.Name, collection.IsPublic, collection.CreatedAt, papers));
    }

    /// <summary>The caller's own collection, or null (someone else's is as unknown as a missing one).</summary>
    internal static Task<Collection?> OwnAsync(ApiDbContext db, HttpContext http, Guid id, CancellationToken cancellationToken)
    {
        var account = AccountOf(http);
        return db.Collections.SingleOrDefaultAsync(c => c.Id == id && c.AccountId == account, cancellationToken);
    }

    /// <summary>A public collection, or the caller's own private one; null for anything else.</summary>
    internal static Task<Collection?> VisibleAsync(ApiDbContext db, HttpContext http, Guid id, CancellationToken cancellationToken)
    {
        var account = Caller.Of(http).AccountId is { } a ? Guid.Parse(a) : (Guid?)null;
        return db.Collections.AsNoTracking().SingleOrDefaultAsync(c => c.Id == id && (c.IsPublic || c.AccountId == account), cancellationToken);
    }

    private static ProblemHttpResult? CheckName(string name)
    {
        var trimmed = name.Trim();
        if (trimmed.Length is 0 or > LibraryLimits.NameLength)
            return Invalid("name", $"A collection's name has 1 to {LibraryLimits.NameLength} characters, not {trimmed.Length}.");
        return trimmed.Any(char.IsControl) ? Invalid("name", $"The name '{Problems.Echo(trimmed)}' holds control characters.") : null;
    }

    internal static ProblemHttpResult CollectionNotFound(Guid id) =>
        Problem(StatusCodes.Status404NotFound, "Collection not found", $"No collection '{id}' that you may see.");

    internal static ProblemHttpResult Invalid(string field, string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: $"Invalid {field}", detail: detail,
            extensions: new Dictionary<string, object?> { ["field"] = field });

    internal static ProblemHttpResult Problem(int status, string title, string detail) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail);
}
