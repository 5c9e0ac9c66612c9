using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Papers.Api.Accounts;
using Papers.Api.Library;
using Papers.Api.Recommendations;
using Papers.Api.Web.Pages;
using Papers.ServiceDefaults.Security;

namespace Papers.Api.Web;

/// <summary>
/// The library as pages: <c>/library</c> (collections), <c>/library/{id}</c> (one collection; a public
/// one for anyone), saving a paper from its page, and <c>/for-you</c>. The forms post here with the
/// antiforgery field and go through the library API's own handlers, so limits and checks are the API's.
/// </summary>
public static class LibraryPages
{
    public const int ForYouShown = 30;

    public static IEndpointRouteBuilder MapLibraryPages(this IEndpointRouteBuilder pages)
    {
        pages.MapGet("/library", LibraryAsync);
        pages.MapPost("/library", CreateAsync).RateLimited(RequestClass.Write);
        pages.MapGet("/library/{id:guid}", CollectionAsync);
        pages.MapPost("/library/{id:guid}", ChangeAsync).RateLimited(RequestClass.Write);
        pages.MapPost("/library/save", SaveAsync).RateLimited(RequestClass.Write);
        pages.MapGet("/for-you", ForYouAsync).RateLimited(RequestClass.Search);
        return pages;
    }

    public static async Task<IResult> LibraryAsync([AsParameters] WebContext web, IOptions<OidcOptions> oidc) =>
        web.Account is not null ? await LibraryPageAsync(web, null) : SignInFirst(web, oidc.Value, "your library");

    private static async Task<IResult> LibraryPageAsync(WebContext web, string? error)
    {
        var collections = await CollectionsAsync(web);
        var meta = new PageMeta("Your library — Papers", "Your collections of saved papers.", web.Link("/library")) { NoIndex = true };
        return WebContext.Page<LibraryPage>(new LibraryPageView(meta, collections, web.FormToken(), error),
            error is null ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest);
    }

    /// <summary>A new collection from the library page's form (<c>name</c>, <c>public</c>), then its page.</summary>
    public static async Task<IResult> CreateAsync([AsParameters] WebContext web, IOptions<OidcOptions> oidc)
    {
        var (form, refusal) = await AccountFormAsync(web, oidc.Value);
        if (form is null)
            return refusal!;
        var created = await LibraryApi.CreateAsync(new CollectionChange(form["name"], form["public"] == "on"), web.Http, web.Db, web.Clock, web.Cancellation);
        return created.Result is Created<CollectionSummary> { Value: { } collection }
            ? WebContext.SeeOther($"/library/{collection.Id}")
            : await LibraryPageAsync(web, Detail(created.Result));
    }

    public static async Task<IResult> CollectionAsync(Guid id, [AsParameters] WebContext web)
    {
        if (await LibraryApi.ReadAsync(id, web.Http, web.Db, web.Cancellation) is not { Result: Ok<CollectionView> { Value: { } collection } })
            return web.Message(StatusCodes.Status404NotFound, "Collection not found", "No collection here that you may see: it is private, deleted, or never was.", "Your library", "/library");
        var mine = web.Account is { } account && await web.Db.Collections.AnyAsync(c => c.Id == id && c.AccountId == account, web.Cancellation);
        var meta = new PageMeta($"{collection.Name} — Papers", $"A collection of {Format.Count(collection.Papers.Count, "paper", "papers")}.", web.Link($"/library/{id}"))
        { NoIndex = !collection.IsPublic };
        return WebContext.Page<CollectionPage>(new CollectionPageView(meta, collection, mine, mine ? web.FormToken() : null));
    }

    /// <summary>
    /// The collection page's forms: <c>do</c> = <c>public</c>, <c>private</c>, <c>delete</c>, or
    /// <c>remove</c> (with <c>paper</c>; also from a paper's page, which names its <c>return</c>).
    /// </summary>
    public static async Task<IResult> ChangeAsync(Guid id, [AsParameters] WebContext web, IOptions<OidcOptions> oidc)
    {
        var (form, refusal) = await AccountFormAsync(web, oidc.Value);
        if (form is null)
            return refusal!;
        IResult result = form["do"].ToString() switch
        {
            "public" or "private" => (await LibraryApi.ChangeAsync(id, new CollectionChange(null, form["do"] == "public"), web.Http, web.Db, web.Cancellation)).Result,
            "delete" => (await LibraryApi.DeleteAsync(id, web.Http, web.Db, web.Cancellation)).Result,
            "remove" => (await LibraryApi.RemoveAsync(id, form["paper"].ToString(), web.Http, web.Db, web.Cancellation)).Result,
            var other => LibraryApi.Invalid("do", $"do is public, private, delete or remove, not '{Problems.Echo(other)}'."),
        };
        if (result is ProblemHttpResult problem)
            return web.Message(problem.StatusCode, problem.ProblemDetails.Title ?? "Not done", problem.ProblemDetails.Detail ?? "", "Your library", "/library");
        return WebContext.SeeOther(form["do"] == "delete" ? "/library" : WebContext.LocalReturn(form["return"], $"/library/{id}"));
    }

    /// <summary>
    /// A paper's page saves it (<c>paper</c>, comma-separated <c>tags</c>) into one of the reader's
    /// collections (<c>collection</c>), or into a new private one (<c>name</c>); then back to the paper.
    /// </summary>
    public static async Task<IResult> SaveAsync([AsParameters] WebContext web, IOptions<OidcOptions> oidc)
    {
        var (form, refusal) = await AccountFormAsync(web, oidc.Value);
        if (form is null)
            return refusal!;
        var paper = form["paper"].ToString();
        var back = Format.PaperUrl(paper);
        Guid id;
        if (form["name"].ToString() is { Length: > 0 } name)
        {
            var created = await LibraryApi.CreateAsync(new CollectionChange(name, false), web.Http, web.Db, web.Clock, web.Cancellation);
            if (created.Result is not Created<CollectionSummary> { Value: { } collection })
                return web.Message(StatusCodes.Status400BadRequest, "Not saved", Detail(created.Result), "Back to the paper", back);
            id = collection.Id;
        }
        else if (!Guid.TryParse(form["collection"], out id))
            return web.Message(StatusCodes.Status400BadRequest, "Not saved", $"collection is the id of one of your collections, not '{Problems.Echo(form["collection"])}'.", "Back to the paper", back);
        var tags = form["tags"].ToString().Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).ToList();
        var saved = await LibraryApi.SaveAsync(id, paper, new SavePaper(tags), web.Http, web.Db, web.Clock, web.Cancellation);
        return saved.Result is ProblemHttpResult
            ? web.Message(StatusCodes.Status400BadRequest, "Not saved", Detail(saved.Result), "Back to the paper", back)
            : WebContext.SeeOther(back + "#library");
    }

    /// <summary>"For you" of the whole library, or of one of the reader's collections (<c>collection</c>).</summary>
    public static async Task<IResult> ForYouAsync([AsParameters] WebContext web, IOptions<OidcOptions> oidc, ForYou forYou, Guid? collection)
    {
        if (web.Account is not { } account)
            return SignInFirst(web, oidc.Value, "papers picked for you");
        var collections = await CollectionsAsync(web);
        var of = collection is { } id ? collections.FirstOrDefault(c => c.Id == id) : null;
        if (collection is not null && of is null)
            return web.Message(StatusCodes.Status404NotFound, "Collection not found", "None of your collections has this id.", "Your library", "/library");
        var items = await forYou.RecommendAsync(account, collection, ForYouShown, web.Cancellation);
        var meta = new PageMeta(of is null ? "For you — Papers" : $"For you: {of.Name} — Papers", "Recent papers like the ones you saved.", web.Link("/for-you")) { NoIndex = true };
        return WebContext.Page<ForYouPage>(new ForYouView(meta, collections, of, items));
    }

    /// <summary>What a signed-in reader's paper page offers: their collections, and which hold the paper.</summary>
    public static async Task<SaveToLibrary?> SaveStateAsync(WebContext web, string paperId)
    {
        if (web.Account is not { } account)
            return null;
        var collections = await CollectionsAsync(web);
        var holding = await web.Db.SavedPapers.Where(s => s.PaperId == paperId && web.Db.Collections.Any(c => c.Id == s.CollectionId && c.AccountId == account))
            .Select(s => s.CollectionId).ToListAsync(web.Cancellation);
        return new SaveToLibrary(web.FormToken(), [.. collections.Select(c => (c, holding.Contains(c.Id)))]);
    }

    private static async Task<List<CollectionSummary>> CollectionsAsync(WebContext web) =>
        (await LibraryApi.ListAsync(web.Http, web.Db, web.Cancellation)).Value!;

    /// <summary>The form of a signed-in reader with a valid antiforgery field; or no form, and the page that says why.</summary>
    internal static async Task<(IFormCollection? Form, IResult? Refusal)> AccountFormAsync(WebContext web, OidcOptions oidc) =>
        web.Account is null
            ? (null, SignInFirst(web, oidc, "your library"))
            : await web.ReadFormAsync("These forms are on the library's and the account's pages.");

    /// <summary>A page for a reader who is not signed in: a link to sign in (or, without a provider, why there is none).</summary>
    internal static IResult SignInFirst(WebContext web, OidcOptions oidc, string what) => oidc.Enabled
        ? web.Message(StatusCodes.Status401Unauthorized, "Sign in first", $"Sign in to see {what}.", "Sign in", SignInUrl(web.Http.Request.Method == HttpMethods.Get ? web.Here : "/library"))
        : web.Message(StatusCodes.Status404NotFound, "Sign-in is not configured", "This installation has no sign-in, so it keeps no libraries.");

    public static string SignInUrl(string returnUrl) => "/account/signin?returnUrl=" + Uri.EscapeDataString(returnUrl);

    private static string Detail(IResult? result) =>
        result is ProblemHttpResult problem ? problem.ProblemDetails.Detail ?? problem.ProblemDetails.Title ?? "" : "";
}
