using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Papers.Enrichment.Tagging;
using Papers.Local;
using Papers.ServiceDefaults.Security;
using Papers.TestSupport;
using Papers.Training.Data;
using Papers.Training.Retraining;

namespace Papers.Training.Tests;

/// <summary>
/// The embedded default runs Training: labelled papers imported as files become examples (text
/// and categories from <c>PaperIngested</c>, vectors from <c>PaperEnriched</c>), an admin's
/// retraining promotes a model, and the running Enrichment tags with it without a restart;
/// a rollback takes it back to the built-in one. Anonymous callers can do neither.
/// </summary>
public sealed class EmbeddedDefaultTests : IAsyncLifetime
{
    private readonly string _data = Directory.CreateTempSubdirectory("papers-training-").FullName;
    private WebApplicationFactory<StartupBanner> _host = null!;

    public Task InitializeAsync()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Database:DataDirectory"] = _data,
            ["Mail:PickupDirectory"] = Path.Combine(_data, "mail"),
            ["Digests:Cron"] = "",
            ["Training:Cron"] = "",
            ["Training:UseBaseSet"] = "false",
            ["Training:MinExamples"] = "50",
            ["Training:WindowMonths"] = "12",
            ["RateLimits:Enabled"] = "false",
        };
        for (var i = 0; i < Harvest.Files.Length; i++)
        {
            settings[$"Ingest:Import:{i}:Path"] = Path.Combine(AppContext.BaseDirectory, Harvest.Files[i].File);
            settings[$"Ingest:Import:{i}:ListedOn"] = Harvest.Files[i].ListedOn.ToString("yyyy-MM-dd");
        }
        _host = new WebApplicationFactory<StartupBanner>().WithWebHostBuilder(b =>
        {
            foreach (var (key, value) in settings)
                b.UseSetting(key, value);
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
    public async Task A_retrained_model_reaches_the_running_enrichment_and_a_rollback_takes_it_back()
    {
        using var anonymous = _host.CreateClient();
        var holder = _host.Services.GetRequiredService<TaggerModelHolder>();
        var builtIn = holder.Current!.Fingerprint;
        var papers = Harvest.Read().Count;
        await Eventually.UntilAsync(async () =>
        {
            await using var scope = _host.Services.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<TrainingDbContext>();
            return await db.Examples.CountAsync(e => e.Version > 0 && e.Embedding != null && e.EnrichedHash == e.ContentHash);
        }, n => n == papers, TimeSpan.FromMinutes(5), $"the {papers} imported papers to be labelled examples with vectors");

        using (var refused = await anonymous.PostAsync("/api/training/retrain", null))
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        using var admin = await AdminAsync();
        using var response = await admin.PostAsync("/api/training/retrain", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var report = (await response.Content.ReadFromJsonAsync<RetrainReport>(Json))!;
        Assert.Equal(RetrainOutcome.Promoted, report.Outcome);
        Assert.Equal(papers, report.HarvestExamples);

        // The promoted model, fetched as an Enrichment replica would, is the one the running Enrichment tags with.
        var served = TaggerModel.Load(await anonymous.GetStreamAsync($"/api/training/models/current?embeddingModel={Uri.EscapeDataString(report.EmbeddingModel)}"));
        Assert.NotEqual(builtIn, served.Fingerprint);
        await Eventually.UntilAsync(() => Task.FromResult(holder.Current!.Fingerprint), f => f == served.Fingerprint, TimeSpan.FromSeconds(30), "Enrichment to swap in the promoted model");
        Assert.Equal(report.ModelId, holder.CurrentId);
        // An Enrichment replica of a cluster fetches it over HTTP, and learns its registry id from the answer.
        var fetched = await new HttpTaggerModelSource(anonymous).FetchAsync(report.EmbeddingModel, default);
        Assert.Equal((report.ModelId, served.Fingerprint), (fetched?.Id, fetched?.Model.Fingerprint));

        using (var missing = await anonymous.GetAsync("/api/training/models/current"))
        {
            Assert.Equal(HttpStatusCode.BadRequest, missing.StatusCode);
            Assert.Contains("embeddingModel", await missing.Content.ReadAsStringAsync());
        }
        using (var other = await anonymous.GetAsync("/api/training/models/current?embeddingModel=another-model"))
            Assert.Equal(HttpStatusCode.NotFound, other.StatusCode);

        using (var rollback = await admin.PostAsync("/api/training/rollback", null))
            Assert.Equal(HttpStatusCode.OK, rollback.StatusCode);
        await Eventually.UntilAsync(() => Task.FromResult(holder.Current!.Fingerprint), f => f == builtIn, TimeSpan.FromSeconds(30), "Enrichment to go back to the built-in model");
        Assert.Null(holder.CurrentId);
        using (var nothing = await admin.PostAsync("/api/training/rollback", null))
            Assert.Equal(HttpStatusCode.NotFound, nothing.StatusCode);
    }

    private async Task<HttpClient> AdminAsync()
    {
        var issued = await _host.Services.GetRequiredService<ApiKeyStore>().IssueAsync($"training {Guid.NewGuid():N}", [Scopes.Admin], 1_000_000, default);
        var client = _host.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", issued.Key);
        return client;
    }

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };
}
