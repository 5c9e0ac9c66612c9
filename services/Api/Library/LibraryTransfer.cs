using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Papers.Api.Accounts;
using Papers.Api.Data;
using Papers.Domain;
using Papers.ServiceDefaults.Security;

namespace Papers.Api.Library;

public sealed record ImportResult(IReadOnlyList<string> Saved, IReadOnlyList<string> AlreadySaved, IReadOnlyList<string> NotFound, IReadOnlyList<string> Unrecognised);

public sealed record ExportedPaper(string Id, string? Title, IReadOnlyList<string> Authors, int? Year, IReadOnlyList<string> Categories, IReadOnlyList<string> Tags, DateTime SavedAt, string Url);

public sealed record ExportedCollection(Guid Id, string Name, bool IsPublic, IReadOnlyList<ExportedPaper> Papers);

/// <summary>
/// Export of a collection (BibTeX, JSON) and import into one (a BibTeX file, or arXiv ids
/// separated by spaces, commas or lines). Imports are bounded: the body by
/// <see cref="LibraryLimits.ImportBytes"/>, the entries by <see cref="LibraryLimits.ImportEntries"/>.
/// </summary>
public static partial class LibraryTransfer
{
    public static async Task<Results<Ok<ImportResult>, ProblemHttpResult>> ImportAsync(Guid id, HttpContext http, ApiDbContext db, TimeProvider clock, CancellationToken cancellationToken)
    {
        var collection = await LibraryApi.OwnAsync(db, http, id, cancellationToken);
        if (collection is null)
            return LibraryApi.CollectionNotFound(id);
        var text = await ReadBoundedAsync(http.Request, cancellationToken);
        if (text is null)
            return LibraryApi.Problem(StatusCodes.Status413PayloadTooLarge, "Request body too large",
                $"An import is at most {LibraryLimits.ImportBytes / 1024} KiB; split it.");
        var (ids, unrecognised) = BibEntry().IsMatch(text) ? FromBibTeX(text) : FromIdList(text);
        if (ids.Count + unrecognised.Count > LibraryLimits.ImportEntries)
            return LibraryApi.Problem(StatusCodes.Status413PayloadTooLarge, "Too many entries",
                $"An import holds at most {LibraryLimits.ImportEntries} entries, not {ids.Count + unrecognised.Count}; split it.");
        if (ids.Count == 0 && unrecognised.Count == 0)
            return LibraryApi.Invalid("body", "Send a BibTeX file or arXiv ids (such as 2401.01234) separated by spaces, commas or lines.");
        if (!BibEntry().IsMatch(text) && unrecognised.Count > 0)
            return LibraryApi.Invalid("body", $"'{Problems.Echo(unrecognised[0])}' is not an arXiv id.");

        var known = await db.Papers.Where(p => ids.Contains(p.PaperId)).Select(p => p.PaperId).ToListAsync(cancellationToken);
        var already = await db.SavedPapers.Where(p => p.CollectionId == id && ids.Contains(p.PaperId)).Select(p => p.PaperId).ToListAsync(cancellationToken);
        var fresh = known.Except(already).ToList();
        if (await db.SavedPapers.CountAsync(p => p.CollectionId == id, cancellationToken) + fresh.Count > LibraryLimits.PapersPerCollection)
            return LibraryApi.Problem(StatusCodes.Status409Conflict, "Collection full", $"A collection keeps at most {LibraryLimits.PapersPerCollection} papers.");
        var now = clock.GetUtcNow().UtcDateTime;
        db.SavedPapers.AddRange(fresh.Select(p => new SavedPaper { CollectionId = id, PaperId = p, SavedAt = now }));
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Ok(new ImportResult(fresh, already, ids.Except(known).ToList(), unrecognised));
    }

    /// <summary>The body as text, or null past <see cref="LibraryLimits.ImportBytes"/> (checked here too: not every server enforces the endpoint's limit).</summary>
    private static async Task<string?> ReadBoundedAsync(HttpRequest request, CancellationToken cancellationToken)
    {
        if (request.ContentLength > LibraryLimits.ImportBytes)
            return null;
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > LibraryLimits.ImportBytes)
                return null;
            buffer.Write(chunk, 0, read);
        }
        return Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    public static async Task<Results<FileContentHttpResult, Ok<ExportedCollection>, ProblemHttpResult>> ExportAsync(Guid id, HttpContext http, ApiDbContext db, string? format, CancellationToken cancellationToken)
    {
        if (format is not (null or "json" or "bibtex"))
            return LibraryApi.Invalid("format", $"format is 'json' or 'bibtex', not '{Problems.Echo(format)}'.");
        var collection = await LibraryApi.VisibleAsync(db, http, id, cancellationToken);
        if (collection is null)
            return LibraryApi.CollectionNotFound(id);
        var rows = await (from s in db.SavedPapers
                          where s.CollectionId == id
                          join p in db.Papers on s.PaperId equals p.PaperId into found
                          from p in found.DefaultIfEmpty()
                          orderby s.SavedAt descending
                          select new { s.PaperId, s.Tags, s.SavedAt, Paper = p }).ToListAsync(cancellationToken);
        var papers = rows.Select(r => new ExportedPaper(r.PaperId, r.Paper?.Title, r.Paper?.Authors.Select(a => a.Name).ToList() ?? [],
            (r.Paper?.PublishedOn ?? r.Paper?.ListedOn)?.Year, r.Paper?.Categories ?? [], r.Tags, r.SavedAt, $"https://arxiv.org/abs/{r.PaperId}")).ToList();
        var export = new ExportedCollection(collection.Id, collection.Name, collection.IsPublic, papers);
        if (format != "bibtex")
            return TypedResults.Ok(export);
        return TypedResults.File(Encoding.UTF8.GetBytes(BibTeX(export)), "application/x-bibtex; charset=utf-8", $"collection-{collection.Id}.bib");
    }

    internal static string BibTeX(ExportedCollection collection)
    {
        var text = new StringBuilder();
        foreach (var p in collection.Papers)
        {
            var isArxiv = ArxivId.TryParse(p.Id, out _);
            text.Append(CultureInfo.InvariantCulture, $"@misc{{{Key(p.Id)},\n");
            Field(text, "title", p.Title ?? p.Id);
            if (p.Authors.Count > 0)
                Field(text, "author", string.Join(" and ", p.Authors));
            if (p.Year is { } year)
                Field(text, "year", year.ToString(CultureInfo.InvariantCulture));
            if (isArxiv)
            {
                Field(text, "eprint", p.Id);
                Field(text, "archivePrefix", "arXiv");
                if (p.Categories.Count > 0)
                    Field(text, "primaryClass", p.Categories[0]);
                Field(text, "url", p.Url);
            }
            if (p.Tags.Count > 0)
                Field(text, "keywords", string.Join(", ", p.Tags));
            text.Append("}\n\n");
        }
        return text.ToString();
    }

    private static void Field(StringBuilder text, string name, string value) =>
        text.Append(CultureInfo.InvariantCulture, $"  {name} = {{{Escape(value)}}},\n");

    /// <summary>Text as BibTeX reads it literally: its special characters escaped, so a title cannot close the field.</summary>
    private static string Escape(string value)
    {
        var text = new StringBuilder(value.Length);
        foreach (var c in value)
            text.Append(c switch
            {
                '\\' => @"\textbackslash{}",
                '{' or '}' or '%' or '&' or '$' or '#' or '_' => "\\" + c,
                '~' => @"\textasciitilde{}",
                '^' => @"\textasciicircum{}",
                _ when char.IsControl(c) => " ",
                _ => c.ToString(),
            });
        return text.ToString();
    }

    private static string Key(string id) => "arxiv_" + NotKeyChar().Replace(id, "_");

    /// <summary>arXiv ids of a BibTeX file (each entry's <c>eprint</c>, or an arXiv URL, DOI or "arXiv:" in it); keys of entries without one.</summary>
    internal static (List<string> Ids, List<string> Unrecognised) FromBibTeX(string text)
    {
        var ids = new List<string>();
        var unrecognised = new List<string>();
        var starts = BibEntry().Matches(text).Select(m => m.Index).Append(text.Length).ToList();
        for (var i = 0; i + 1 < starts.Count; i++)
        {
            var entry = text[starts[i]..starts[i + 1]];
            var id = EprintField().Match(entry) is { Success: true } e && ArxivId.Normalize(e.Groups[1].Value) is { } eprint ? eprint
                : ArxivMention().Matches(entry).Select(m => ArxivId.Normalize(m.Groups[1].Value)).FirstOrDefault(v => v is not null);
            if (id is not null)
                ids.Add(id);
            else
                unrecognised.Add(BibEntry().Match(entry).Groups[1].Value.Trim());
        }
        return (ids.Distinct().ToList(), unrecognised);
    }

    internal static (List<string> Ids, List<string> Unrecognised) FromIdList(string text)
    {
        var tokens = text.Split([' ', ',', ';', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries);
        var ids = tokens.Select(ArxivId.Normalize).OfType<string>().Distinct().ToList();
        return (ids, tokens.Where(t => ArxivId.Normalize(t) is null).ToList());
    }

    [GeneratedRegex(@"@[A-Za-z]+\s*\{\s*([^,\s]*)")]
    private static partial Regex BibEntry();

    [GeneratedRegex(@"eprint\s*=\s*[{""]\s*([^}""]+?)\s*[}""]", RegexOptions.IgnoreCase)]
    private static partial Regex EprintField();

    [GeneratedRegex(@"(?:arxiv\.org/(?:abs|pdf)/|arXiv:\s*|10\.48550/arXiv\.)([A-Za-z\-\.]*/?\d{4}\.?\d{3,5}(?:v\d+)?)", RegexOptions.IgnoreCase)]
    private static partial Regex ArxivMention();

    [GeneratedRegex(@"[^A-Za-z0-9]")]
    private static partial Regex NotKeyChar();
}
