using Papers.Enrichment.Embeddings;
using Papers.ServiceDefaults.Embeddings;

namespace Papers.Enrichment.Tests;

public sealed class EmbeddingBatcherTests
{
    [Fact]
    public async Task Concurrent_requests_share_model_calls_and_each_gets_its_own_vectors()
    {
        var model = new FakeEmbedder(TimeSpan.FromMilliseconds(50));
        using var batcher = new EmbeddingBatcher(model, new EmbeddingOptions { QueryBatchWindowMilliseconds = 20, QueryBatchMaxTexts = 64 });

        var requests = Enumerable.Range(0, 20).Select(i => batcher.EmbedAsync([$"query {i}", $"other {i}"], CancellationToken.None)).ToList();
        var results = await Task.WhenAll(requests);

        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal(2, results[i].Length);
            Assert.Equal(FakeEmbedder.Vector($"query {i}"), results[i][0]);
            Assert.Equal(FakeEmbedder.Vector($"other {i}"), results[i][1]);
        }
        // 20 requests, 40 texts: one or two model calls (one window, or one plus what arrived while it ran).
        Assert.InRange(batcher.ModelCalls, 1, 3);
        Assert.Equal(batcher.ModelCalls, model.Calls);
    }

    [Fact]
    public async Task A_request_as_large_as_a_batch_goes_straight_to_the_model()
    {
        var model = new FakeEmbedder(TimeSpan.Zero);
        using var batcher = new EmbeddingBatcher(model, new EmbeddingOptions { QueryBatchMaxTexts = 4 });
        var vectors = await batcher.EmbedAsync(["a", "b", "c", "d", "e"], CancellationToken.None);
        Assert.Equal(5, vectors.Length);
        Assert.Equal(0, batcher.ModelCalls);
        Assert.Equal(1, model.Calls);
    }

    [Fact]
    public async Task A_failing_model_call_fails_every_request_in_it()
    {
        var model = new FakeEmbedder(TimeSpan.FromMilliseconds(10)) { Fail = true };
        using var batcher = new EmbeddingBatcher(model, new EmbeddingOptions { QueryBatchWindowMilliseconds = 20 });
        var requests = Enumerable.Range(0, 3).Select(i => batcher.EmbedAsync([$"q{i}"], CancellationToken.None)).ToList();
        foreach (var request in requests)
            await Assert.ThrowsAsync<InvalidOperationException>(() => request);
    }

    [Fact]
    public async Task A_cancelled_caller_stops_waiting()
    {
        var model = new FakeEmbedder(TimeSpan.FromMilliseconds(500));
        using var batcher = new EmbeddingBatcher(model, new EmbeddingOptions());
        using var cancel = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => batcher.EmbedAsync(["slow"], cancel.Token));
    }

    private sealed class FakeEmbedder(TimeSpan delay) : ITextEmbedder
    {
        private int _calls;

        public bool Fail { get; init; }

        public int Calls => Volatile.Read(ref _calls);

        public string ModelId => "fake@1";

        public async Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            await Task.Delay(delay, cancellationToken);
            if (Fail)
                throw new InvalidOperationException("model failed");
            return texts.Select(Vector).ToArray();
        }

        public static float[] Vector(string text) => [text.Length, text.GetHashCode(StringComparison.Ordinal)];
    }
}
