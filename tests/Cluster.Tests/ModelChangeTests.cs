using Papers.Cluster.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Papers.Cluster.Tests;

/// <summary>
/// Issue 5's "a model change re-embeds through the pipeline", in cluster mode: Enrichment is
/// redeployed with another embedding model in the middle of a backfill; afterwards every paper's
/// vectors come from the new model, the papers the old model had done were each requested once
/// through RabbitMQ, and nothing is lost, duplicated or left in an error queue.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class ModelChangeTests(ClusterInfrastructure infra, ITestOutputHelper output)
{
    private static int Papers => ClusterUnderTest.Papers;

    [Fact]
    public async Task A_new_embedding_model_deployed_mid_backfill_re_enriches_every_paper_once()
    {
        await using var cluster = new ClusterUnderTest(infra, output, "modelchange");
        await cluster.RunAsync(async () =>
        {
            await cluster.StartAsync();
            var backfill = cluster.StartBackfill();
            await cluster.WaitUntilPartWayAsync(p => p.Enrichments >= Papers / 3, "a third enriched");
            // Enrichment's first announcement may have come before the Api's queue existed; a repeat follows.
            var before = await Eventually.UntilAsync(cluster.StatsAsync, s => s.Reenrichment.EmbeddingModel is not null, TimeSpan.FromSeconds(30), "the Api to know the model");
            Assert.StartsWith("all-MiniLM-L6-v2/onnx@", before.Reenrichment.EmbeddingModel);

            cluster.Kill("Enrichment");
            cluster["Enrichment"].SetEnvironment("Embedding__ModelPath", ShippedModel.WriteCopy(cluster.LogDirectory, "minilm-copy"));
            await cluster.RestartAsync("Enrichment");
            Assert.Equal(0, await cluster.FinishBackfillAsync(backfill));

            var done = await Eventually.UntilAsync(cluster.StatsAsync,
                s => s.Reenrichment.EmbeddingModel?.StartsWith("minilm-copy/onnx@sha256:", StringComparison.Ordinal) == true && s.Reenrichment.OtherModel == 0,
                TimeSpan.FromMinutes(4), "every paper embedded by the new model");
            cluster.Log($"re-enriched: {done}");

            await cluster.AssertEveryPaperOnceAsync(Papers);
            var model = done.Reenrichment.EmbeddingModel!;
            Assert.Equal(Papers, await cluster.CountAsync("Api", $"SELECT count(*) FROM enrichments WHERE \"EmbeddingModel\" = '{model}'"));
            var requests = await cluster.CountAsync("Api", "SELECT count(*) FROM outbox_messages WHERE \"MessageType\" = 'Papers.Contracts.EnrichPaper'");
            var requested = await cluster.CountAsync("Api", $"SELECT count(*) FROM enrichments WHERE \"RequestedModel\" = '{model}'");
            cluster.Log($"{requests} re-enrichment requests for {requested} papers");
            Assert.InRange(requests, 1, Papers);
            Assert.Equal(requested, requests);
            Assert.Equal(0, await cluster.CountAsync("Api", """SELECT count(*) FROM outbox_messages WHERE "SentAt" IS NULL"""));
        });
    }
}
