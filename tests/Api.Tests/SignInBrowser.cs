using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Mvc.Testing;

namespace Papers.Api.Tests;

/// <summary>
/// A person's browser on a host of the Api (its own, or the all-in-one host): it keeps the visitor
/// cookie, sends the antiforgery token, and signs in through <see cref="AccountsOidcProvider"/>.
/// </summary>
/// <param name="api">A client of the host that keeps cookies and does not follow redirects (<see cref="Options"/> for an in-memory host).</param>
public sealed class SignInBrowser(HttpClient api, AccountsOidcProvider provider) : IDisposable
{
    /// <summary>What a client of an in-memory host needs: cookies kept, redirects shown (they cross to the provider).</summary>
    public static WebApplicationFactoryClientOptions Options() => new() { AllowAutoRedirect = false, HandleCookies = true };

    private readonly HttpClient _provider = new(new HttpClientHandler { AllowAutoRedirect = false });

    public HttpClient Api { get; } = api;

    /// <summary>The visitor cookie and an antiforgery token for whoever the cookie is now.</summary>
    public async Task SessionAsync()
    {
        var session = await Api.GetFromJsonAsync<JsonElement>("/api/session");
        Api.DefaultRequestHeaders.Remove("X-CSRF-TOKEN");
        Api.DefaultRequestHeaders.Add("X-CSRF-TOKEN", session.GetProperty("antiforgeryToken").GetString());
    }

    /// <summary>The whole authorization-code flow, following each redirect between the two sites by hand.</summary>
    public async Task SignInAsync()
    {
        var start = await Api.GetAsync("/account/signin?returnUrl=/library");
        Assert.True(start.StatusCode == HttpStatusCode.Redirect, $"sign-in answered {start.StatusCode}: {await start.Content.ReadAsStringAsync()}");
        var authorize = start.Headers.Location!;
        Assert.Equal(provider.Authority.Authority, authorize.Authority);
        Assert.Contains("code_challenge=", authorize.Query, StringComparison.Ordinal);
        var login = await _provider.GetAsync(authorize);
        Assert.Equal(HttpStatusCode.Redirect, login.StatusCode);
        var callback = login.Headers.Location!;
        Assert.StartsWith(provider.RedirectUri + "?", callback.ToString(), StringComparison.Ordinal);
        Assert.Contains("code=", callback.Query, StringComparison.Ordinal);
        var back = await Api.GetAsync(callback.PathAndQuery);
        Assert.Equal(HttpStatusCode.Redirect, back.StatusCode);
        Assert.Equal("/library", back.Headers.Location!.OriginalString);
        await SessionAsync();
    }

    public void Dispose()
    {
        Api.Dispose();
        _provider.Dispose();
    }
}
