using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Mvc.Testing;
using Papers.Local;
using Papers.TestSupport;

namespace Papers.Training.Tests;

/// <summary>
/// In the all-in-one host Training shares the public port, and its promoted model (about 0.7 MB)
/// is anonymous: it has a limit of its own, so anyone fetching it again and again soon gets a 429
/// problem, while the site's other reads go on. (Its Enrichment reads the registry in-process and
/// never calls it.)
/// </summary>
public sealed class ModelDownloadLimitTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("papers-training-limit-").FullName;
    private WebApplicationFactory<StartupBanner> _host = null!;

    public Task InitializeAsync()
    {
        _host = new WebApplicationFactory<StartupBanner>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Database:DataDirectory", _data);
            b.UseSetting("Mail:PickupDirectory", Path.Combine(_data, "mail"));
            b.UseSetting("Training:Cron", "");
            b.UseSetting("Training:UseBaseSet", "false");
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await _host.DisposeAsync();
        try { Directory.Delete(_data, recursive: true); }
        catch (IOException) { /* SQLite may still hold a file; the OS temp cleaner takes it */ }
    }

    [Fact]
    public async Task Fetching_the_model_again_and_again_is_refused_with_a_429_problem_and_other_reads_go_on()
    {
        using var anonymous = _host.CreateClient();
        const string url = "/api/training/models/current?embeddingModel=all-MiniLM-L6-v2%2Fonnx%4024.9.52193";
        for (var i = 0; i < 2; i++)
        {
            using var allowed = await anonymous.GetAsync(url);
            Assert.NotEqual(HttpStatusCode.TooManyRequests, allowed.StatusCode);
            Assert.StartsWith("\"modeldownload\";q=2;", allowed.Headers.GetValues("RateLimit-Policy").Single());
        }

        using var refused = await anonymous.GetAsync(url);

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After");
        var problem = (await refused.Content.ReadFromJsonAsync<ProblemDetails>())!;
        Assert.Equal(429, problem.Status);
        Assert.Contains("'modeldownload' (2 per 60 s)", problem.Detail);
        // Its own limit: the site's reads are not spent by it.
        using var stats = await anonymous.GetAsync("/api/stats");
        Assert.Equal(HttpStatusCode.OK, stats.StatusCode);

        // Not stopped while its Enrichment still embeds the bundled sample: ONNX Runtime takes the
        // whole process down when its session is disposed in the middle of a call.
        await Eventually.UntilAsync(async () => await anonymous.GetFromJsonAsync<JsonElement>("/api/stats"),
            s => s.GetProperty("papers").GetInt32() > 0 && s.GetProperty("enriched").GetInt32() == s.GetProperty("papers").GetInt32(),
            TimeSpan.FromMinutes(3), "the sample to be enriched");
    }
}
