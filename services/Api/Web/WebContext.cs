using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Papers.Api.Browse;
using Papers.Api.Data;
using Papers.ServiceDefaults.Security;

namespace Papers.Api.Web;

/// <summary>What every page handler needs, bound with <c>[AsParameters]</c>.</summary>
public readonly record struct WebContext(
    HttpContext Http,
    ApiDbContext Db,
    FacetIndex Facets,
    TimeProvider Clock,
    IOptions<PublicSiteOptions> Site,
    IAntiforgery Antiforgery,
    RateLimiters Limits,
    CancellationToken Cancellation)
{
    /// <summary>An absolute URL on the public site (canonical links, feeds).</summary>
    public string Link(string pathAndQuery) => Site.Value.Link(pathAndQuery);

    /// <summary>This request's path and query, for coming back to after a vote.</summary>
    public string Here => Http.Request.Path + Http.Request.QueryString;

    /// <summary>
    /// Lets the visitor vote from the page: issues the visitor cookie to a newcomer (within the
    /// hourly limit of new visitors per address), the antiforgery token for the forms, and which
    /// of <paramref name="paperIds"/> this visitor has upvoted.
    /// </summary>
    public async Task<VoteState> VotesAsync(IEnumerable<string> paperIds)
    {
        var known = Caller.Of(Http).Id;
        if (known is null)
            await Visitors.TrySignInAsync(Http, Limits);
        var tokens = Antiforgery.GetAndStoreTokens(Http);
        var ids = paperIds.Distinct(StringComparer.Ordinal).ToList();
        var voted = known is null || ids.Count == 0
            ? []
            : await Db.Votes.AsNoTracking().Where(v => v.VoterId == known && ids.Contains(v.PaperId)).Select(v => v.PaperId).ToListAsync(Cancellation);
        return new VoteState(tokens.FormFieldName, tokens.RequestToken!, voted.ToHashSet(StringComparer.Ordinal), Here);
    }

    public static RazorComponentResult Page<TComponent>(object? model = null, int statusCode = StatusCodes.Status200OK) where TComponent : IComponent =>
        new RazorComponentResult<TComponent>(model is null ? new Dictionary<string, object?>() : new Dictionary<string, object?> { ["Model"] = model }) { StatusCode = statusCode };

    public RazorComponentResult Message(int statusCode, string heading, string text, string linkText = "Back to the daily list", string linkUrl = "/") =>
        Page<Pages.MessagePage>(new MessageView(new PageMeta($"{heading} — Papers", text, Link(Here)) { NoIndex = true }, heading, text, linkText, linkUrl), statusCode);

    /// <summary>The page number (from 0) of a <c>p</c> query value; anything else is the first page.</summary>
    public static int PageNumber(string? p) =>
        int.TryParse(p, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? Math.Min(n, 10_000) : 0;
}
