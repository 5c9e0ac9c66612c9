using System.Net.Http.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using OpenTelemetry.Trace;
using Papers.Local;

namespace Papers.EndToEnd.Tests;

/// <summary>
/// The embedded default, in-process: all four services on the in-memory bus with SQLite files in
/// a fresh temporary folder; it imports the bundled 74-paper sample at start. Shared by the tests
/// of one class because enriching the sample takes a while on two cores.
/// </summary>
public sealed class LocalHostFixture : LocalHost, IAsyncLifetime
{
    public const int SamplePapers = 74;

    public LocalHostFixture()
        : base(Directory.CreateTempSubdirectory("papers-e2e-").FullName)
    {
    }

    public async Task InitializeAsync()
    {
        StartServer();
        await WaitForSampleEnrichedAsync();
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        try { Directory.Delete(DataDirectory, recursive: true); }
        catch (IOException) { /* SQLite may still hold a file on some systems; the OS temp cleaner takes it */ }
    }
}

/// <summary>A Local host over a given data folder, with extra configuration.</summary>
public class LocalHost : WebApplicationFactory<StartupBanner>
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
            ["Digests:Cron"] = "",
        };
        foreach (var (key, value) in settings.Concat(_settings))
            builder.UseSetting(key, value);
        builder.ConfigureServices(s => s.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(Spans)));
    }

    /// <summary>Waits until the bundled sample is in the read model, every paper enriched for its current content.</summary>
    public async Task WaitForSampleEnrichedAsync()
    {
        using var client = CreateClient();
        await Eventually.Async(async () =>
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
