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

    /// <summary>The signed-in account of this request, if any.</summary>
    public Guid? Account => Caller.Of(Http).AccountId is { } id ? Guid.Parse(id) : null;

    /// <summary>The antiforgery field for this request's forms (the page's POSTs carry it; the cookie goes out with the response).</summary>
    public FormToken FormToken()
    {
        var tokens = Antiforgery.GetAndStoreTokens(Http);
        return new FormToken(tokens.FormFieldName, tokens.RequestToken!);
    }

    /// <summary>
    /// A page form's fields once it is known to be one of ours: a form body with a valid antiforgery
    /// field; otherwise the page that says what was wrong (<paramref name="usage"/>: where such forms come from).
    /// </summary>
    public async Task<(IFormCollection? Form, IResult? Refusal)> ReadFormAsync(string usage)
    {
        if (!Http.Request.HasFormContentType)
            return (null, Message(StatusCodes.Status415UnsupportedMediaType, "Not a form", usage));
        IFormCollection form;
        try
        {
            form = await Http.Request.ReadFormAsync(Cancellation);
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException and not BadHttpRequestException)
        {
            // Malformed or cut short; a body over the limit stays the 413 the framework makes of it.
            return (null, Message(StatusCodes.Status400BadRequest, "Not a form", usage));
        }
        if (!await Antiforgery.IsRequestValidAsync(Http))
            return (null, Message(StatusCodes.Status400BadRequest, "This page has expired", "Reload the page and send the form again."));
        return (form, null);
    }

    /// <summary>A form's <c>return</c> value if it is a path on this site (never another site's URL), else <paramref name="fallback"/>.</summary>
    public static string LocalReturn(string? back, string fallback) =>
        back is { Length: > 0 } && back.StartsWith('/') && !back.Any(char.IsControl) && !back.StartsWith("//", StringComparison.Ordinal) && !back.StartsWith("/\\", StringComparison.Ordinal)
            ? back : fallback;

    /// <summary>303 See Other: after a form's POST, the browser GETs <paramref name="location"/>.</summary>
    public static IResult SeeOther(string location) => new SeeOtherResult(location);

    private sealed class SeeOtherResult(string location) : IResult
    {
        public Task ExecuteAsync(HttpContext http)
        {
            http.Response.StatusCode = StatusCodes.Status303SeeOther;
            http.Response.Headers.Location = location;
            return Task.CompletedTask;
        }
    }

    public static RazorComponentResult Page<TComponent>(object? model = null, int statusCode = StatusCodes.Status200OK) where TComponent : IComponent =>
        new RazorComponentResult<TComponent>(model is null ? new Dictionary<string, object?>() : new Dictionary<string, object?> { ["Model"] = model }) { StatusCode = statusCode };

    public RazorComponentResult Message(int statusCode, string heading, string text, string linkText = "Back to the daily list", string linkUrl = "/") =>
        Page<Pages.MessagePage>(new MessageView(new PageMeta($"{heading} — Papers", text, Link(Here)) { NoIndex = true }, heading, text, linkText, linkUrl), statusCode);

    /// <summary>The page number (from 0) of a <c>p</c> query value; anything else is the first page.</summary>
    public static int PageNumber(string? p) =>
        int.TryParse(p, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) ? Math.Min(n, 10_000) : 0;
}
