using System.Net;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Papers.Contracts;
using Papers.Notifications.Apis;
using Papers.Notifications.Data;
using Papers.Notifications.Digests;
using Papers.Notifications.Library;
using Papers.Notifications.Mail;
using Papers.Notifications.Subscriptions;
using Papers.ServiceDefaults.Outbox;
using Papers.TestSupport;

namespace Papers.Notifications.Tests;

/// <summary>Schedules and profiles as subscribers set them, unsubscribing by POST only, and the preview that sends nothing.</summary>
public sealed class SubscriptionTests : IAsyncLifetime
{
    private readonly string _mail = Directory.CreateTempSubdirectory("papers-subscriptions-").FullName;
    private TestDatabase<NotificationsDbContext> _database = null!;
    private ServiceProvider _host = null!;

    public async Task InitializeAsync()
    {
        _database = await SqliteFileTestDatabase<NotificationsDbContext>.CreateAsync();
        var mail = new MailOptions { PickupDirectory = _mail };
        _host = DigestHost.Build(_database, new PickupDirectoryMailSender(Options.Create(mail)), TimeProvider.System, new Samples.FixedEmbedder(), mail);
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        await _database.DisposeAsync();
        Directory.Delete(_mail, recursive: true);
    }

    private async Task<Results<Accepted<SubscribeAccepted>, ValidationProblem>> SubscribeAsync(SubscribeRequest request)
    {
        await using var scope = _host.CreateAsyncScope();
        var s = scope.ServiceProvider;
        return await SubscriptionsApi.SubscribeAsync(request, s.GetRequiredService<NotificationsDbContext>(), s.GetRequiredService<IMailSender>(),
            s.GetRequiredService<SubscriptionLinks>(), s.GetRequiredService<IOptions<MailOptions>>(), s.GetRequiredService<ILibraryRecommendations>(), TimeProvider.System, NullLogger<SubscribeRequest>.Instance, default);
    }

    public static TheoryData<SubscribeRequest, string, string> BadSettings => new()
    {
        { new("a@example.org", ["cs.LG"], TimeZone: "Mars/Olympus_Mons"), "timeZone", "'Mars/Olympus_Mons'" },
        { new("a@example.org", ["cs.LG"], TimeZone: "Pacific Standard Time"), "timeZone", "'Pacific Standard Time'" },
        { new("a@example.org", ["cs.LG"], Hour: 24), "hour", "got 24" },
        { new("a@example.org", ["cs.LG"], Hour: -1), "hour", "got -1" },
        { new("a@example.org", ["cs.LG"], Frequency: "hourly"), "frequency", "'hourly'" },
        { new("a@example.org", ["cs.LG"], Frequency: "weekly", Weekday: "funday"), "weekday", "'funday'" },
        { new("a@example.org", ["cs.LG"], Digest: "everything"), "digest", "'everything'" },
        { new("a@example.org", [], Authors: []), "topics", "trending" },
        { new("a@example.org", ["cs.LG"], Seeds: ["2401.99999"]), "seeds", "2401.99999" },
        { new("a@example.org", ["cs.LG"], Seeds: ["not a paper"]), "seeds", "'not a paper'" },
    };

    [Theory]
    [MemberData(nameof(BadSettings))]
    public async Task Bad_settings_get_a_problem_naming_the_field_and_the_value(SubscribeRequest request, string field, string value)
    {
        var problem = Assert.IsType<ValidationProblem>((await SubscribeAsync(request)).Result);

        Assert.Equal(400, problem.StatusCode);
        Assert.Contains(value, Assert.Single(problem.ProblemDetails.Errors[field]));
        await using var db = _database.Context();
        Assert.False(await db.Subscribers.AnyAsync());
    }

    [Fact]
    public async Task A_schedule_and_profile_are_stored_as_given()
    {
        Assert.IsType<Accepted<SubscribeAccepted>>((await SubscribeAsync(new SubscribeRequest("b@example.org", [], Authors: ["Emmy Noether"], Keywords: ["quantization"],
            Frequency: "Weekly", Weekday: "friday", TimeZone: "Asia/Kolkata", Hour: 6))).Result);
        Assert.IsType<Accepted<SubscribeAccepted>>((await SubscribeAsync(new SubscribeRequest("c@example.org", null, Digest: "trending"))).Result);

        await using var db = _database.Context();
        var b = await db.Subscribers.SingleAsync(s => s.Email == "b@example.org");
        Assert.Equal((DigestKind.Personal, DigestFrequency.Weekly, DayOfWeek.Friday, "Asia/Kolkata", 6), (b.Kind, b.Frequency, b.Weekday, b.TimeZone, b.Hour));
        Assert.Equal(["Emmy Noether"], b.Authors);
        Assert.Equal(["quantization"], b.Keywords);
        var c = await db.Subscribers.SingleAsync(s => s.Email == "c@example.org");
        Assert.Equal((DigestKind.Trending, DigestFrequency.Daily, "UTC", 7), (c.Kind, c.Frequency, c.TimeZone, c.Hour));
    }

    [Fact]
    public async Task Opening_the_unsubscribe_link_shows_a_button_and_only_the_post_unsubscribes()
    {
        var reader = Samples.Subscriber("leaver@example.org", DateTime.UtcNow);
        await using (var db = _database.Context())
        {
            db.Subscribers.Add(reader);
            await db.SaveChangesAsync();
        }

        await using (var db = _database.Context())
        {
            var page = await SubscriptionsApi.UnsubscribePageAsync(reader.UnsubscribeToken, db, default);
            Assert.Equal(200, page.StatusCode);
            Assert.Contains($"<form method=\"post\" action=\"/api/subscriptions/unsubscribe?token={reader.UnsubscribeToken}\">", page.ResponseContent);
        }
        await using (var db = _database.Context())
            Assert.True((await db.Subscribers.SingleAsync()).Active);

        // What a mail client sends for RFC 8058 one-click: a form POST with no cookies.
        var http = new DefaultHttpContext();
        http.Request.Method = "POST";
        http.Request.ContentType = "application/x-www-form-urlencoded";
        http.Request.Body = new MemoryStream(Encoding.ASCII.GetBytes("List-Unsubscribe=One-Click"));
        await using (var db = _database.Context())
            Assert.Equal(200, (await SubscriptionsApi.UnsubscribeAsync(reader.UnsubscribeToken, http, db, TimeProvider.System, default)).StatusCode);
        await using (var db = _database.Context())
            Assert.Equal(404, (await SubscriptionsApi.UnsubscribeAsync("no-such-token", new DefaultHttpContext(), db, TimeProvider.System, default)).StatusCode);

        await using var check = _database.Context();
        Assert.False((await check.Subscribers.SingleAsync()).Active);
        var events = await check.Set<OutboxMessage>().Where(m => m.MessageType == typeof(Unsubscribed).FullName).ToListAsync();
        var unsubscribed = JsonSerializer.Deserialize<Unsubscribed>(Assert.Single(events).Body)!;
        Assert.Equal((reader.Id, "one-click"), (unsubscribed.SubscriberId, unsubscribed.Via));
        Assert.DoesNotContain("leaver@", events[0].Body);
    }

    [Fact]
    public async Task The_preview_shows_the_next_digest_with_reasons_and_sends_nothing()
    {
        var reader = Samples.Subscriber("preview@example.org", DateTime.UtcNow.AddDays(-1), s => (s.Topics, s.Keywords) = (["cs.LG"], ["diffusion"]));
        await using (var db = _database.Context())
        {
            db.Subscribers.Add(reader);
            db.Candidates.AddRange(
                Samples.Paper("2611.00001", "Learning", DateTime.UtcNow.AddHours(-1), tags: [new TopicTag("cs.LG", "Machine Learning", 0.75)]),
                Samples.Paper("2611.00002", "Diffusion models, again", DateTime.UtcNow.AddHours(-1)),
                Samples.Paper("2611.00003", "Unrelated", DateTime.UtcNow.AddHours(-1)));
            await db.SaveChangesAsync();
        }
        var token = new Uri(_host.GetRequiredService<SubscriptionLinks>().ManageUrl(reader)).Query.Split("token=")[1];

        await using var scope = _host.CreateAsyncScope();
        Task<Results<Ok<DigestPreview>, ContentHttpResult, ValidationProblem, ProblemHttpResult>> PreviewAsync(string? format) =>
            SubscriptionsApi.PreviewByManageLinkAsync(Uri.UnescapeDataString(token), format, scope.ServiceProvider.GetRequiredService<NotificationsDbContext>(),
                _host.GetRequiredService<SubscriptionLinks>(), scope.ServiceProvider.GetRequiredService<DigestPreviews>(), default);
        var preview = await PreviewAsync(null);

        var digest = Assert.IsType<Ok<DigestPreview>>(preview.Result).Value!;
        // A title keyword (0.8) outranks a topic match of 0.75; the unrelated paper is not there.
        Assert.Equal(
            [("2611.00002", "mentions your keyword “diffusion” in the title", "https://papers.example.org/papers/2611.00002"),
             ("2611.00001", "matches your topic cs.LG (0.75)", "https://papers.example.org/papers/2611.00001")],
            digest.Entries.Select(e => (e.PaperId, e.Reason, e.Url)));
        var html = Assert.IsType<ContentHttpResult>((await PreviewAsync("html")).Result);
        Assert.Equal("text/html; charset=utf-8", html.ContentType);
        Assert.Contains("Why: mentions your keyword “diffusion” in the title", WebUtility.HtmlDecode(html.ResponseContent));
        var bad = Assert.IsType<ValidationProblem>((await PreviewAsync("pdf")).Result);
        Assert.Equal(["format must be json or html; got 'pdf'."], bad.ProblemDetails.Errors["format"]);
        // A hostile value is quoted back cut short and without control characters.
        var hostile = Assert.IsType<ValidationProblem>((await PreviewAsync("x\r\n" + new string('x', 5000))).Result);
        Assert.Equal($"format must be json or html; got 'x  {new string('x', 97)}…'.", Assert.Single(hostile.ProblemDetails.Errors["format"]));
        await using (var db2 = _database.Context())
            Assert.False(await db2.Deliveries.AnyAsync());
        Assert.Empty(Directory.GetFiles(_mail));

        // The HTML preview is the mail a run sends now, but for the signed links' tokens (each signing differs).
        await DigestHost.Runner(_host).RunAsync(default);
        var sent = MimeKit.MimeMessage.Load(Assert.Single(Directory.GetFiles(_mail)));
        static string Unsigned(string? html) => System.Text.RegularExpressions.Regex.Replace(html ?? "", "token=[^\"&]+", "token=…");
        Assert.Equal(Unsigned(sent.HtmlBody), Unsigned(html.ResponseContent));
        Assert.Contains("/subscriptions/manage?token=", html.ResponseContent);
    }
}
