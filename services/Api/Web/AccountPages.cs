using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Papers.Api.Accounts;
using Papers.Api.Web.Pages;
using Papers.ServiceDefaults.Security;

namespace Papers.Api.Web;

/// <summary>
/// The account page (<c>/account</c>): download my data, the private feed token (issue, revoke),
/// deleting the account after a confirm step, and the sign-out confirm step. The forms post with the
/// antiforgery field and run the account API's own handlers.
/// </summary>
public static class AccountPages
{
    public static IEndpointRouteBuilder MapAccountPages(this IEndpointRouteBuilder pages)
    {
        pages.MapGet("/account", AccountAsync);
        pages.MapPost("/account/feed-token", FeedTokenAsync).RateLimited(RequestClass.Write);
        pages.MapGet("/account/delete", (Delegate)ConfirmDelete);
        pages.MapPost("/account/delete", DeleteAsync).RateLimited(RequestClass.Write);
        // Signing out is a POST (a link could be forged into any page): this asks first.
        pages.MapGet("/account/signout", (Delegate)ConfirmSignOut);
        return pages;
    }

    public static async Task<IResult> AccountAsync([AsParameters] WebContext web, IOptions<OidcOptions> oidc) =>
        web.Account is null ? LibraryPages.SignInFirst(web, oidc.Value, "your account") : await AccountPageAsync(web, null, null);

    private static async Task<IResult> AccountPageAsync(WebContext web, FeedToken? token, string? notice)
    {
        if (await AccountApi.GetAsync(web.Http, web.Db, web.Cancellation) is not { Result: Ok<AccountView> { Value: { } account } })
            return web.Message(StatusCodes.Status404NotFound, "Account not found", "This account was deleted; sign in again to make a new one.");
        var meta = new PageMeta("Your account — Papers", "Your account, your data, and your private feed.", web.Link("/account")) { NoIndex = true };
        return WebContext.Page<AccountPage>(new AccountPageView(meta, account, web.FormToken(), token, notice));
    }

    /// <summary>
    /// <c>do</c> = <c>create</c> issues a new token (shown once, on the page this answers with, which
    /// is no-store as every page with a form) and revokes the old; <c>revoke</c> revokes.
    /// </summary>
    public static async Task<IResult> FeedTokenAsync([AsParameters] WebContext web, IOptions<OidcOptions> oidc)
    {
        var (form, refusal) = await LibraryPages.AccountFormAsync(web, oidc.Value);
        if (form is null)
            return refusal!;
        if (form["do"] == "revoke")
        {
            await AccountApi.RevokeFeedTokenAsync(web.Http, web.Db, web.Cancellation);
            return await AccountPageAsync(web, null, "Your feed token was revoked: the feed's old address no longer works.");
        }
        var issued = await AccountApi.IssueFeedTokenAsync(web.Http, web.Db, web.Site, web.Cancellation);
        return await AccountPageAsync(web, issued.Result is Ok<FeedToken> { Value: { } token } ? token : null, null);
    }

    private static IResult ConfirmDelete([AsParameters] WebContext web, IOptions<OidcOptions> oidc) =>
        web.Account is null ? LibraryPages.SignInFirst(web, oidc.Value, "your account") : Confirm(web, "Delete your account?",
            "Your account, its collections and saved papers are deleted now, and so is the link from you to your votes and to the analytics events made as you. This can't be undone. Download your data first if you want to keep it.",
            "/account/delete", "Delete my account", "/account");

    private static IResult ConfirmSignOut([AsParameters] WebContext web, IOptions<OidcOptions> oidc) =>
        web.Account is null ? LibraryPages.SignInFirst(web, oidc.Value, "your account") : Confirm(web, "Sign out?",
            "This browser forgets your account; your library stays, for when you sign in again.", "/account/signout", "Sign out", "/account");

    private static IResult Confirm(WebContext web, string heading, string text, string action, string button, string cancel) =>
        WebContext.Page<ConfirmPage>(new ConfirmView(new PageMeta($"{heading} — Papers", text, web.Link(web.Here)) { NoIndex = true },
            heading, text, action, button, web.FormToken(), cancel));

    public static async Task<IResult> DeleteAsync([AsParameters] WebContext web, IOptions<OidcOptions> oidc)
    {
        var (form, refusal) = await LibraryPages.AccountFormAsync(web, oidc.Value);
        if (form is null)
            return refusal!;
        await AccountApi.DeleteAsync(web.Http, web.Db, web.Clock, web.Cancellation);
        web.Http.User = new System.Security.Claims.ClaimsPrincipal(new System.Security.Claims.ClaimsIdentity()); // this page shows them signed out
        return web.Message(StatusCodes.Status200OK, "Your account was deleted",
            "Your account, its library and the link from you to your votes are gone. Signing in again makes a new, empty account.");
    }
}
