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
public sealed class LocalHostFixture : WebApplicationFactory<StartupBanner>, IAsyncLifetime
{
    public const int SamplePapers = 74;

    public string DataDirectory { get; } = Directory.CreateTempSubdirectory("papers-e2e-").FullName;

    public string MailDirectory => Path.Combine(DataDirectory, "mail");

    /// <summary>A real socket (Kestrel on a free port), so a real browser can load the page.</summary>
    public LocalHostFixture() => UseKestrel(0);

    public Uri Address => ClientOptions.BaseAddress;

    /// <summary>Every span the host finished, from OpenTelemetry's in-memory exporter.</summary>
    public SpanCollection Spans { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.ConfigureAppConfiguration(c => c.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Database:DataDirectory"] = DataDirectory,
            ["Mail:PickupDirectory"] = MailDirectory,
            ["Digests:Cron"] = "",
        }));
        builder.ConfigureServices(s => s.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(Spans)));
    }

    public async Task InitializeAsync()
    {
        StartServer();
        using var client = CreateClient();
        await Eventually.Async(async () =>
        {
            var items = await client.GetFromJsonAsync<List<Item>>("/api/daily_papers?date=2025-11-07&limit=100");
            return items is { Count: SamplePapers } && items.All(i => i.Paper.Enriched);
        }, TimeSpan.FromMinutes(5), "the 74 sample papers to be ingested and enriched");
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await base.DisposeAsync();
        try { Directory.Delete(DataDirectory, recursive: true); }
        catch (IOException) { /* SQLite may still hold a file on some systems; the OS temp cleaner takes it */ }
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
