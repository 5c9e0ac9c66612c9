using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Papers.Api.Data;

namespace Papers.Api.Tests;

/// <summary>
/// The Api service as its own <c>Program.cs</c> composes it (SQLite files in a temporary folder, the
/// bus the settings name), with extra settings, served in memory; logs are kept.
/// </summary>
public sealed class ApiHost(Dictionary<string, string?> settings) : WebApplicationFactory<ApiDbContext>
{
    private readonly string _data = Directory.CreateTempSubdirectory("papers-api-").FullName;

    public Papers.TestSupport.CapturedLogs Logs { get; } = new();

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseSetting("Database:DataDirectory", _data);
        builder.UseSetting("RateLimits:Enabled", "false");
        builder.UseSetting("Reenrichment:Enabled", "false");
        foreach (var (key, value) in settings)
            builder.UseSetting(key, value);
        builder.ConfigureLogging(l => l.AddProvider(Logs));
    }

    /// <summary>Puts papers straight into the read model and waits until the search index has them.</summary>
    public async Task SeedAsync(params (string Id, string Title, string Abstract)[] papers)
    {
        await using (var scope = Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ApiDbContext>();
            foreach (var (id, title, @abstract) in papers)
                db.Papers.Add(new PaperRecord
                {
                    PaperId = id,
                    Version = 1,
                    Title = title,
                    Abstract = @abstract,
                    Source = "file",
                    ContentHash = "h-" + id,
                    ListedOn = new DateOnly(2026, 11, 30),
                    UpdatedAt = DateTime.UtcNow,
                });
            await db.SaveChangesAsync();
        }
        var index = Services.GetRequiredService<Papers.Api.Search.ISearchIndex>();
        await Papers.TestSupport.Eventually.UntilAsync(() => Task.FromResult(index.Count), n => n >= papers.Length, TimeSpan.FromSeconds(20), "the search index to load the papers");
    }

    /// <summary>Puts rows (papers, enrichments, ...) straight into the read model, as they are.</summary>
    public async Task SeedRowsAsync(params object[] rows)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApiDbContext>();
        db.AddRange(rows);
        await db.SaveChangesAsync();
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        SqliteConnection.ClearAllPools();
        try { Directory.Delete(_data, recursive: true); }
        catch (IOException) { /* a file still held; the temp cleaner takes it */ }
    }
}

/// <summary>A real HTTP server on 127.0.0.1 (Kestrel on a free port) answering with the test's handler.</summary>
public sealed class LocalServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private LocalServer(RequestDelegate handler)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.Run(context =>
        {
            Interlocked.Increment(ref _requests);
            return handler(context);
        });
    }

    public Uri BaseUrl { get; private set; } = null!;

    public int Requests => Volatile.Read(ref _requests);

    public static async Task<LocalServer> StartAsync(RequestDelegate handler)
    {
        var server = new LocalServer(handler);
        await server._app.StartAsync();
        server.BaseUrl = new Uri(server._app.Urls.Single());
        return server;
    }

    /// <summary>An address where nothing listens: a port the OS gave and took back.</summary>
    public static Uri NothingListening()
    {
        var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return new Uri($"http://127.0.0.1:{port}/");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(new CancellationTokenSource(TimeSpan.FromSeconds(5)).Token);
        await _app.DisposeAsync();
    }
}
