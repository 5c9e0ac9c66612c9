using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Papers.Api.Analytics;
using Papers.Api.Apis;
using Papers.Api.Browse;
using Papers.Api.Search;
using Papers.Api.Web.Pages;
using Papers.Contracts;
using Papers.Domain;
using Papers.ServiceDefaults.Security;

namespace Papers.Api.Web;

/// <summary>A paper's page (<c>/papers/{id}</c>), and upvoting from any page without script (<c>POST /vote</c>).</summary>
public static class PaperPages
{
    public const int SimilarShown = 8, ByAuthorsShown = 6;

    public static IEndpointRouteBuilder MapPaperPages(this IEndpointRouteBuilder pages)
    {
        pages.MapGet("/papers/{id}", PaperAsync);
        // Old-style arXiv ids carry a slash: /papers/hep-th/9901001.
        pages.MapGet("/papers/{archive}/{number}",
            (string archive, string number, [AsParameters] WebContext web, PaperSearch search, AnalyticsEvents analytics) =>
                PaperAsync($"{archive}/{number}", web, search, analytics));
        pages.MapPost("/vote", VoteAsync).RateLimited(RequestClass.Write, RateAction.Vote);
        return pages;
    }

    public static async Task<IResult> PaperAsync(string id, [AsParameters] WebContext web, PaperSearch search, AnalyticsEvents analytics)
    {
        var rows = await DailyListing.LoadInOrderAsync(web.Db, [id], web.Cancellation);
        if (rows.Count == 0)
        {
            // 2401.01234v2 and arxiv.org links name the paper too: send them to its page.
            if (ArxivId.Normalize(id) is { } normal && normal != id)
                return TypedResults.Redirect(Format.PaperUrl(normal), permanent: true);
            return web.Message(StatusCodes.Status404NotFound, "Paper not found", "No paper here has this id. Search for it, or submit it by its arXiv id.", "Search", "/search");
        }
        var paper = rows[0];
        // Papers barely related in meaning are not "similar": the page shows those the search would find.
        var found = search.SimilarIfCheap(id, SimilarShown);
        var similar = (found ?? []).Where(s => s.Similarity >= RankFusion.MinSimilarity).ToList();
        var similarRows = await DailyListing.LoadInOrderAsync(web.Db, [.. similar.Select(s => s.PaperId)], web.Cancellation);
        var similarity = similar.ToDictionary(s => s.PaperId, s => s.Similarity);
        var byAuthors = await DailyListing.LoadInOrderAsync(web.Db,
            [.. web.Facets.ByAuthors(paper.Paper.Authors.Select(a => a.Name), id, ByAuthorsShown).Select(f => f.PaperId)], web.Cancellation);
        var votes = await web.VotesAsync(rows.Concat(similarRows).Concat(byAuthors).Select(x => x.Paper.PaperId));
        analytics.Record(new PaperViewed(id, web.Clock.GetUtcNow()));

        var p = paper.Paper;
        var citation = new List<KeyValuePair<string, string>> { new("citation_title", p.Title) };
        citation.AddRange(p.Authors.Select(a => new KeyValuePair<string, string>("citation_author", a.Name)));
        if (p.PublishedOn is { } published)
            citation.Add(new("citation_publication_date", published.ToString("yyyy/MM/dd", CultureInfo.InvariantCulture)));
        if (Format.IsArxiv(p.PaperId))
        {
            citation.Add(new("citation_arxiv_id", p.PaperId));
            citation.Add(new("citation_pdf_url", $"https://arxiv.org/pdf/{p.PaperId}"));
        }
        var meta = new PageMeta($"{p.Title} — Papers", Format.Snippet(p.Abstract, 300), web.Link(Format.PaperUrl(p.PaperId)), "article") { Extra = citation };
        return WebContext.Page<PaperDetailPage>(new PaperView(meta, paper,
            [.. similarRows.Select(x => (x, similarity[x.Paper.PaperId]))], byAuthors, votes, SimilarPending: found is null,
            Library: await LibraryPages.SaveStateAsync(web, id)));
    }

    /// <summary>
    /// An upvote (or, with <c>undo=1</c>, its withdrawal) from a page's form: the antiforgery token
    /// as a form field, the visitor cookie the page issued; then back to the page (303).
    /// </summary>
    public static async Task<IResult> VoteAsync([AsParameters] WebContext web)
    {
        var http = web.Http;
        var (form, refusal) = await web.ReadFormAsync("Votes come from the pages' upvote buttons.");
        if (form is null)
            return refusal!;
        if (!http.User.HasClaim(c => c.Type == Scopes.ClaimType && c.Value is Scopes.Vote or Scopes.Admin))
            return web.Message(StatusCodes.Status403Forbidden, "Your vote could not count",
                "Votes need the cookie this site sets when you open a page. Allow cookies for this site and reload the page.");

        var id = form["id"].ToString();
        var undo = form["undo"] == "1";
        var result = undo
            ? await VotesApi.WithdrawAsync(id, http, web.Db, web.Clock, web.Cancellation)
            : await VotesApi.UpvoteAsync(id, http, web.Db, web.Clock, web.Cancellation);
        if (result.Result is ProblemHttpResult)
            return web.Message(StatusCodes.Status404NotFound, "Paper not found", "No paper here has this id.");
        return WebContext.SeeOther(WebContext.LocalReturn(form["return"], Format.PaperUrl(id)) + "#p-" + Uri.EscapeDataString(id.Replace('/', '-')));
    }
}
