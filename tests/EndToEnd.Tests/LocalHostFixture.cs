using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using MimeKit;
using OpenTelemetry.Trace;
using Papers.Api.Tests;
using Papers.Local;
using Papers.Notifications.Data;
using Papers.ServiceDefaults.Security;

namespace Papers.EndToEnd.Tests;

/// <summary>
/// The embedded default, in-process: all four services on the in-memory bus with SQLite files in
/// a fresh temporary folder; it imports the bundled 74-paper sample at start. Shared by the tests
/// of one class because enriching the sample takes a while on two cores. Sign-in goes to a real
/// OpenID Connect provider (<see cref="Provider"/>) on another site than the pages' (<see cref="SiteAddress"/>).
/// </summary>
public sealed class LocalHostFixture : LocalHost, IAsyncLifetime
{
    public const int SamplePapers = 74;
    private readonly Dictionary<string, string?> _signIn;

    public LocalHostFixture()
        : this(new Dictionary<string, string?>())
    {
    }

    private LocalHostFixture(Dictionary<string, string?> signIn)
        : base(Directory.CreateTempSubdirectory("papers-e2e-").FullName, signIn)
    {
        _signIn = signIn;
    }

    /// <summary>The OpenID Connect provider, on 127.0.0.1.</summary>
    public AccountsOidcProvider Provider { get; private set; } = null!;

    /// <summary>
    /// The pages at <c>localhost</c>: another site than the provider's 127.0.0.1 (a site ignores the
    /// port), so the provider's redirect back is a cross-site navigation, as with a real provider.
    /// </summary>
    public Uri SiteAddress => new UriBuilder(Address) { Host = "localhost" }.Uri;

    public async Task InitializeAsync()
    {
        Provider = await AccountsOidcProvider.StartAsync();
        foreach (var (key, value) in Provider.ApiSettings())
            _signIn[key] = value;
        StartServer();
        Provider.RedirectUri = new Uri(SiteAddress, "/signin-oidc").ToString();
        Provider.AsksFirst = true;
        await WaitForSampleEnrichedAsync();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await Provider.DisposeAsync();
        try { Directory.Delete(DataDirectory, recursive: true); }
        catch (IOException) { /* SQLite may still hold a file on some systems; the OS temp cleaner takes it */ }
    }
}

/// <summary>A Local host over a given data folder, with extra configuration.</summary>
public partial class LocalHost : WebApplicationFactory<StartupBanner>
{
    private readonly IReadOnlyDictionary<string, string?> _settings;

    /// <summary>A real socket (Kestrel on a free port), so a real browser can load the page.</summary>
    public LocalHost(string dataDirectory, IReadOnlyDictionary<string, string?>? settings = null)
    {
        DataDirectory = dataDirectory;
        _settings = settings ?? new Dictionary<string, string?>();
        UseKestrel(0);
    }

    public string DataDirectory { get; }

    public string MailDirectory => Path.Combine(DataDirectory, "mail");

    public Uri Address => ClientOptions.BaseAddress;

    /// <summary>Every span the host finished, from OpenTelemetry's in-memory exporter.</summary>
    public SpanCollection Spans { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        // UseSetting, not ConfigureAppConfiguration: the services read some settings (the
        // database's) while the builder is set up, before the latter is applied.
        var settings = new Dictionary<string, string?>
        {
            ["Database:DataDirectory"] = DataDirectory,
            ["Mail:PickupDirectory"] = MailDirectory,
            ["Digests:WakeEvery"] = "00:00:00",
            // Tests call from one address far faster than a person: limits have their own tests.
            ["RateLimits:Enabled"] = "false",
        };
        foreach (var (key, value) in settings.Concat(_settings))
            builder.UseSetting(key, value);
        builder.ConfigureServices(s => s.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(Spans)));
        builder.ConfigureLogging(l => l.AddProvider(ApplicationErrors));
    }

    /// <summary>A client with a fresh API key of the given scopes (admin by default), issued straight into the host's identity store.</summary>
    public async Task<HttpClient> KeyClientAsync(params string[] scopes)
    {
        var issued = await Services.GetRequiredService<ApiKeyStore>().IssueAsync($"e2e {Guid.NewGuid():N}", scopes.Length == 0 ? [Scopes.Admin] : scopes, 1_000_000, default);
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", issued.Key);
        return client;
    }

    /// <summary>A client that behaves as the web page does: it holds the visitor cookie and sends the antiforgery token.</summary>
    public async Task<HttpClient> VisitorClientAsync()
    {
        var client = CreateClient();
        var session = (await client.GetFromJsonAsync<VisitorSession>("/api/session"))!;
        client.DefaultRequestHeaders.Add(session.HeaderName, session.AntiforgeryToken);
        return client;
    }

    /// <summary>Opens the confirmation link mailed to <paramref name="email"/> and presses its button, as the address's owner would.</summary>
    /// <param name="mails">Where the host's mail lands (the pickup folder unless the host sends over SMTP).</param>
    public async Task ConfirmSubscriptionAsync(string email, Func<string, IReadOnlyList<MimeMessage>>? mails = null)
    {
        mails ??= MailsTo;
        var link = (await Eventually.UntilAsync(() => Task.FromResult(mails(email)
            .Select(m => ConfirmLink().Match(m.TextBody ?? "")).FirstOrDefault(m => m.Success)?.Groups[1].Value), l => l is not null,
            TimeSpan.FromSeconds(30), $"a confirmation mail to {email}"))!;
        using var client = CreateClient();
        using var page = await client.GetAsync(link);
        page.EnsureSuccessStatusCode();
        using var confirm = await client.PostAsync(link, null);
        confirm.EnsureSuccessStatusCode();
    }

    /// <summary>
    /// Moves <paramref name="email"/>'s confirmation two days back. A first digest waits for the
    /// subscriber's hour; from two days back their latest hour has come since, so a digest run now sends one.
    /// </summary>
    public Task ConfirmedTwoDaysAgoAsync(string email) =>
        QueryAsync<NotificationsDbContext, int>(db => db.Subscribers.Where(s => s.Email == email)
            .ExecuteUpdateAsync(u => u.SetProperty(s => s.ConfirmedAt, s => s.ConfirmedAt!.Value.AddDays(-2))));

    /// <summary>Every mail written to <paramref name="email"/> so far.</summary>
    public IReadOnlyList<MimeMessage> MailsTo(string email) => Directory.Exists(MailDirectory)
        ? [.. Directory.EnumerateFiles(MailDirectory, "*.eml").Select(f => MimeMessage.Load(f)).Where(m => m.To.Mailboxes.Any(a => a.Address == email))]
        : [];

    [GeneratedRegex(@"https?://[^/\s]+(/api/subscriptions/confirm\?token=\S+)")]
    private static partial Regex ConfirmLink();

    /// <summary>Waits until the bundled sample is in the read model, every paper enriched for its current content.</summary>
    public async Task WaitForSampleEnrichedAsync()
    {
        using var client = CreateClient();
        await Eventually.UntilAsync(async () =>
        {
            var items = await client.GetFromJsonAsync<List<Item>>("/api/daily_papers?date=2025-11-07&limit=100");
            return items is { Count: LocalHostFixture.SamplePapers } && items.All(i => i.Paper.Enriched);
        }, TimeSpan.FromMinutes(5), "the 74 sample papers to be ingested and enriched");
    }

    public sealed record Item(Paper Paper, double? Score, double? Similarity);

    public sealed record Paper(string Id, string Title, string Summary, bool Enriched, int Upvotes,
        List<Tag> Tags, [property: System.Text.Json.Serialization.JsonPropertyName("ai_keywords")] List<string> AiKeywords);

    public sealed record Tag(string Topic, string Name, double Score);
}

/// <summary>One embedded-default host for every test class that names this collection.</summary>
[CollectionDefinition(Name)]
public sealed class LocalHostCollection : ICollectionFixture<LocalHostFixture>
{
    public const string Name = "local host";
}
