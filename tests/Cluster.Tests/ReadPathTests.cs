using System.Net;
using Papers.Cluster.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Papers.Cluster.Tests;

/// <summary>
/// Issue 11's read path in cluster mode, with two Api replicas: one replica killed while the other
/// serves search, RabbitMQ restarted while both keep answering GETs and stay ready, and search
/// degrading to keywords (and saying so) while Enrichment is hung or down.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ReadPathTests(ClusterInfrastructure infra, ITestOutputHelper output)
{
    /// <summary>What these scenarios need: two Api replicas and the pipeline that fills them; no Notifications.</summary>
    private static readonly Dictionary<string, int> ApiTwice = new() { ["Api"] = 2, ["Notifications"] = 0 };

    /// <summary>Search answers within this when the query can't be embedded (the issue says "about 3 s"; the rest is margin for a loaded CI machine).</summary>
    private static readonly TimeSpan KeywordWithin = TimeSpan.FromSeconds(4);

    private static readonly TimeSpan ReadTimeout = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task An_Api_replica_killed_mid_backfill_while_the_other_serves_search_fails_no_search_and_applies_each_event_once()
    {
        int first = ClusterUnderTest.PapersUpTo(120), total = ClusterUnderTest.PapersUpTo(240);
        await using var cluster = new ClusterUnderTest(infra, output, "killapisearch", 1, ApiTwice);
        await cluster.RunAsync(async () =>
        {
            await cluster.StartAsync();
            Assert.Equal(0, await cluster.FinishBackfillAsync(cluster.StartBackfill(papers: first)));
            var searches = await SearchPathsAsync(cluster);
            await WaitUntilSearchableAsync(cluster, searches[0]);

            // Searches go to the first replica only, before, during and after the second one dies
            // while both are consuming the next papers.
            await using var reads = Reads.Start([Target(cluster, 0)], searches, ReadTimeout);
            var backfill = cluster.StartBackfill(papers: total);
            await cluster.WaitUntilPartWayAsync(p => p.Papers >= first + (total - first) / 3, "a third of the new papers in the Api", total);
            var killedAt = reads.Elapsed;
            cluster.Kill("Api", 1);
            await Task.Delay(TimeSpan.FromSeconds(5)); // searches go on against the survivor
            await cluster.RestartAsync("Api", 1);
            Assert.Equal(0, await cluster.FinishBackfillAsync(backfill));
            var answers = await reads.StopAsync();
            cluster.Log($"search on api-1 while api-2 was killed: {Reads.Describe(answers)}");

            Assert.NotEmpty(answers);
            Assert.All(answers, a => Assert.True(a.Ok, a.ToString()));
            Assert.All(answers, a => Assert.True(a.Items > 0, $"a title found nothing: {a}"));
            Assert.Contains(answers, a => a.At >= killedAt && a.At < killedAt + 5); // searches while the other replica was dead
            // The restarted replica serves search again.
            await WaitUntilSearchableAsync(cluster, searches[^1]);
            await cluster.AssertEveryPaperOnceAsync(total);
        });
    }

    [Fact]
    public async Task RabbitMq_restarted_while_both_Api_replicas_keep_answering_GETs_and_stay_ready()
    {
        int first = ClusterUnderTest.PapersUpTo(100), total = ClusterUnderTest.PapersUpTo(150);
        await using var cluster = new ClusterUnderTest(infra, output, "brokerreads", 1, ApiTwice);
        await cluster.RunAsync(async () =>
        {
            await cluster.StartAsync();
            Assert.Equal(0, await cluster.FinishBackfillAsync(cluster.StartBackfill(papers: first)));
            var searches = await SearchPathsAsync(cluster);
            await WaitUntilSearchableAsync(cluster, searches[0]);
            var ids = await cluster.QueryAsync("Api", """SELECT "PaperId" FROM papers ORDER BY "PaperId" LIMIT 5""", r => r.GetString(0));
            List<string> paths = ["health/ready", searches[0], $"api/papers/{Uri.EscapeDataString(ids[0])}", "api/papers?limit=20", "api/daily_papers?limit=20",
                "health/ready", searches[1], $"api/papers/{Uri.EscapeDataString(ids[1])}", $"api/papers/{Uri.EscapeDataString(ids[2])}/similar?limit=5", "api/stats"];

            await using var reads = Reads.Start(Enumerable.Range(0, 2).Select(i => Target(cluster, i)), paths, ReadTimeout);
            await Task.Delay(TimeSpan.FromSeconds(2));
            await infra.Broker.StopAsync();
            cluster.Log("RabbitMQ stopped");
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(15)); // the outage itself
            }
            finally
            {
                await infra.Broker.StartAsync();
                cluster.Log("RabbitMQ started again");
            }
            await Task.Delay(TimeSpan.FromSeconds(5));
            var answers = await reads.StopAsync();
            cluster.Log($"GETs through the broker's restart: {Reads.Describe(answers)}");
            Assert.All(answers, a => Assert.True(a.Ok, a.ToString()));
            Assert.Contains(answers, a => a.Path == "health/ready");

            // The pipeline came back too: new papers flow into both replicas' read model, each once.
            Assert.Equal(0, await cluster.FinishBackfillAsync(cluster.StartBackfill(papers: total)));
            await cluster.AssertEveryPaperOnceAsync(total);
        });
    }

    [Fact]
    public async Task Search_answers_from_keywords_and_says_so_quickly_while_Enrichment_is_hung_or_down()
    {
        var papers = ClusterUnderTest.PapersUpTo(80);
        await using var cluster = new ClusterUnderTest(infra, output, "degrade", 1, ApiTwice);
        await cluster.RunAsync(async () =>
        {
            await cluster.StartAsync();
            Assert.Equal(0, await cluster.FinishBackfillAsync(cluster.StartBackfill(papers: papers)));
            var searches = await SearchPathsAsync(cluster);
            await WaitUntilSearchableAsync(cluster, searches[0]);
            await ExpectModeAsync(cluster, searches, "hybrid", "Enrichment up");

            await cluster.PauseAsync("Enrichment");
            try
            {
                await ExpectKeywordQuicklyAsync(cluster, searches, "Enrichment hung (SIGSTOP)");
            }
            finally
            {
                await cluster.ResumeAsync("Enrichment");
            }
            await ExpectModeAsync(cluster, searches, "hybrid", "Enrichment resumed");

            cluster.Kill("Enrichment");
            await ExpectKeywordQuicklyAsync(cluster, searches, "Enrichment down (SIGKILL)");
            await cluster.RestartAsync("Enrichment");
            await ExpectModeAsync(cluster, searches, "hybrid", "Enrichment restarted");
        });
    }

    private static (string, Uri) Target(ClusterUnderTest cluster, int replica) =>
        (ClusterUnderTest.ReplicaName("Api", replica), cluster.Replicas("Api")[replica].BaseUri);

    /// <summary>Search paths whose queries are the first words of papers' titles: each must find something.</summary>
    private static async Task<List<string>> SearchPathsAsync(ClusterUnderTest cluster)
    {
        var titles = await cluster.QueryAsync("Api", """SELECT "Title" FROM papers ORDER BY "PaperId" LIMIT 8""", r => r.GetString(0));
        return [.. titles.Select(t => string.Join(' ', t.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(w => w.All(char.IsLetter)).Take(4)))
            .Where(q => q.Length > 0)
            .Select(q => $"api/papers/search?q={Uri.EscapeDataString(q)}&limit=10")];
    }

    /// <summary>Every Api replica's index has caught up with the read model (each polls it).</summary>
    private static async Task WaitUntilSearchableAsync(ClusterUnderTest cluster, string search)
    {
        foreach (var (name, uri) in Enumerable.Range(0, cluster.Replicas("Api").Count).Select(i => Target(cluster, i)))
        {
            using var http = new HttpClient { BaseAddress = uri, Timeout = ReadTimeout };
            await Eventually.UntilAsync(() => Reads.GetAsync(http, name, search), a => a.Ok && a.Items > 0, TimeSpan.FromSeconds(60), $"{name} finding '{search}'");
        }
    }

    /// <summary>Each Api replica answers searches with <paramref name="mode"/> (eventually: a breaker may still be open).</summary>
    private static async Task ExpectModeAsync(ClusterUnderTest cluster, IReadOnlyList<string> searches, string mode, string when)
    {
        foreach (var (name, uri) in Enumerable.Range(0, cluster.Replicas("Api").Count).Select(i => Target(cluster, i)))
        {
            using var http = new HttpClient { BaseAddress = uri, Timeout = TimeSpan.FromSeconds(40) };
            // An answer without the header fails at once: waiting would not make it appear.
            var answer = await Eventually.UntilAsync(() => Reads.GetAsync(http, name, searches[0]), a => a.Ok && (a.SearchMode == mode || a.SearchMode is null),
                TimeSpan.FromSeconds(60), $"{name} searching in {mode} mode ({when})", TimeSpan.FromSeconds(1));
            cluster.Log($"{when}: {answer}");
            Assert.True(answer.SearchMode == mode, $"{when}: expected {Reads.SearchModeHeader}: {mode}; {answer}");
        }
    }

    /// <summary>Each Api replica answers every search at once from keywords, with the header saying so, and finds the titles.</summary>
    private static async Task ExpectKeywordQuicklyAsync(ClusterUnderTest cluster, IReadOnlyList<string> searches, string when)
    {
        var answers = new List<ReadAnswer>();
        foreach (var (name, uri) in Enumerable.Range(0, cluster.Replicas("Api").Count).Select(i => Target(cluster, i)))
        {
            using var http = new HttpClient { BaseAddress = uri, Timeout = TimeSpan.FromSeconds(40) };
            foreach (var search in searches.Take(3))
                answers.Add(await Reads.GetAsync(http, name, search));
        }
        cluster.Log($"{when}: {Reads.Describe(answers)}; modes {string.Join(",", answers.Select(a => a.SearchMode ?? "none"))}");
        Assert.All(answers, a =>
        {
            Assert.True(a.Ok, a.ToString());
            Assert.True(a.SearchMode == "keyword", $"{when}: expected {Reads.SearchModeHeader}: keyword; {a}");
            Assert.True(a.Items > 0, $"{when}: a title found nothing; {a}");
            Assert.True(a.Seconds <= KeywordWithin.TotalSeconds, $"{when}: slower than {KeywordWithin.TotalSeconds:0} s; {a}");
        });
    }
}
