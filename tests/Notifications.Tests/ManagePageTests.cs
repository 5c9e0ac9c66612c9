using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Papers.Notifications.Data;
using Papers.Notifications.Subscriptions;

namespace Papers.Notifications.Tests;

/// <summary>
/// The manage page the digests link to, through the Notifications service as its Program composes
/// it (SQLite in a temporary folder, served in memory): the form needs the antiforgery token as
/// well as the signed link; a bad value is shown back naming the field and changes nothing.
/// </summary>
public sealed partial class ManagePageTests : IAsyncLifetime
{
    private readonly Host _host = new();

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _host.DisposeAsync();

    private sealed class Host : WebApplicationFactory<NotificationsDbContext>
    {
        private readonly string _data = Directory.CreateTempSubdirectory("papers-notifications-").FullName;

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseSetting("Database:DataDirectory", _data);
            builder.UseSetting("Mail:PickupDirectory", Path.Combine(_data, "mail"));
            builder.UseSetting("RateLimits:Enabled", "false");
            builder.UseSetting("Digests:WakeEvery", "00:00:00");
        }
    }

    [Fact]
    public async Task The_manage_page_changes_the_schedule_and_profile_only_with_its_form_token_and_valid_values()
    {
        using var browser = _host.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = true });
        var reader = Samples.Subscriber("manage@example.org", DateTime.UtcNow.AddDays(-1));
        await using (var scope = _host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<NotificationsDbContext>();
            db.Subscribers.Add(reader);
            await db.SaveChangesAsync();
        }
        var page = new Uri(_host.Services.GetRequiredService<SubscriptionLinks>().ManagePageUrl(reader)).PathAndQuery;

        var form = await browser.GetStringAsync(page);
        var token = AntiforgeryField().Match(form);
        Assert.True(token.Success, form);
        Assert.Contains("Preview my next digest", form);
        FormUrlEncodedContent Form(params (string Key, string Value)[] fields) =>
            new([.. fields.Select(f => KeyValuePair.Create(f.Key, f.Value)), KeyValuePair.Create(token.Groups[1].Value, WebUtility.HtmlDecode(token.Groups[2].Value))]);

        using (var bad = await browser.PostAsync(page, Form(("digest", "personal"), ("topics", "cs.LG"), ("frequency", "daily"), ("weekday", "monday"), ("hour", "7"), ("timeZone", "Mars/Olympus"))))
        {
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("timeZone: timeZone must be an IANA time zone id", WebUtility.HtmlDecode(await bad.Content.ReadAsStringAsync()));
        }
        // Valid values, but not from the page (no antiforgery token): refused.
        using (var forged = await browser.PostAsync(page, new FormUrlEncodedContent([KeyValuePair.Create("topics", "cs.LG"), KeyValuePair.Create("hour", "3"),
            KeyValuePair.Create("timeZone", "UTC"), KeyValuePair.Create("digest", "personal"), KeyValuePair.Create("frequency", "daily")])))
        {
            Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
            Assert.Contains("This page has expired", await forged.Content.ReadAsStringAsync());
        }
        Assert.Equal(("UTC", 7), await ScheduleAsync(reader.Id));

        using (var saved = await browser.PostAsync(page, Form(("digest", "personal"), ("topics", "cs.LG, cs.CL"), ("authors", "Emmy Noether"), ("keywords", ""),
            ("seeds", ""), ("frequency", "weekly"), ("weekday", "friday"), ("hour", "6"), ("timeZone", "Asia/Kolkata"), ("paused", "on"))))
        {
            Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
            Assert.Contains("Saved.", await saved.Content.ReadAsStringAsync());
        }
        await using (var scope = _host.Services.CreateAsyncScope())
        {
            var s = await scope.ServiceProvider.GetRequiredService<NotificationsDbContext>().Subscribers.AsNoTracking().SingleAsync(x => x.Id == reader.Id);
            Assert.Equal((DigestFrequency.Weekly, DayOfWeek.Friday, "Asia/Kolkata", 6), (s.Frequency, s.Weekday, s.TimeZone, s.Hour));
            Assert.Equal(["cs.LG", "cs.CL"], s.Topics);
            Assert.Equal(["Emmy Noether"], s.Authors);
            Assert.NotNull(s.PausedAt);
        }

        using (var gone = await browser.PostAsync(page.Replace("/subscriptions/manage?", "/subscriptions/manage/unsubscribe?", StringComparison.Ordinal), Form()))
            Assert.Equal(HttpStatusCode.OK, gone.StatusCode);
        await using (var scope = _host.Services.CreateAsyncScope())
            Assert.False((await scope.ServiceProvider.GetRequiredService<NotificationsDbContext>().Subscribers.AsNoTracking().SingleAsync(x => x.Id == reader.Id)).Active);
    }

    private async Task<(string, int)> ScheduleAsync(Guid id)
    {
        await using var scope = _host.Services.CreateAsyncScope();
        var s = await scope.ServiceProvider.GetRequiredService<NotificationsDbContext>().Subscribers.AsNoTracking().SingleAsync(x => x.Id == id);
        return (s.TimeZone, s.Hour);
    }

    [GeneratedRegex("<input type=\"hidden\" name=\"([^\"]+)\" value=\"([^\"]+)\">")]
    private static partial Regex AntiforgeryField();
}
