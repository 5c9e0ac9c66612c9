using Papers.Contracts;
using Papers.Notifications.Data;
using Papers.ServiceDefaults.Embeddings;

namespace Papers.Notifications.Tests;

/// <summary>Papers and subscribers for digest tests, ready for the digests unless told otherwise.</summary>
public static class Samples
{
    public const string Model = "test/onnx@1";

    public static CandidatePaper Paper(string id, string title, DateTime arrivedAt, float[]? embedding = null, string abstractText = "An abstract.",
        string[]? authors = null, TopicTag[]? tags = null, int upvotes = 0) => new()
        {
            PaperId = id,
            Version = 1,
            Title = title,
            Abstract = abstractText,
            Authors = [.. authors ?? []],
            ContentHash = "h",
            EnrichedHash = "h",
            EnrichedVersion = 1,
            Embedding = embedding ?? [0, 0, 1],
            EmbeddingModel = Model,
            Tags = [.. tags ?? []],
            Upvotes = upvotes,
            ArrivedAt = arrivedAt,
        };

    public static Subscriber Subscriber(string email, DateTime confirmedAt, Action<Subscriber>? configure = null)
    {
        var s = new Subscriber
        {
            Id = Guid.NewGuid(),
            Email = email,
            UnsubscribeToken = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray()),
            CreatedAt = confirmedAt,
            ConfirmedAt = confirmedAt,
            Active = true,
            Topics = ["cs.LG"],
        };
        configure?.Invoke(s);
        return s;
    }

    /// <summary>Stands in for Enrichment's <c>/embed</c>: "quantization" points one way, everything else another.</summary>
    public sealed class FixedEmbedder : ITextEmbedder
    {
        public string ModelId => Model;

        public Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken) =>
            Task.FromResult(texts.Select(t => t.Contains("quantization", StringComparison.OrdinalIgnoreCase) ? new float[] { 1, 0, 0 } : [0, 1, 0]).ToArray());
    }
}
