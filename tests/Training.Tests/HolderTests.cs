using Microsoft.Extensions.Logging;
using Papers.Enrichment.Tagging;

namespace Papers.Training.Tests;

/// <summary>An Enrichment replica never tags with a model trained on another embedding model, and keeps tagging when Training is unreachable.</summary>
[Collection(ModelCollection.Name)]
public sealed class HolderTests(EmbedderFixture model)
{
    private static readonly TaggerModel BuiltIn = TaggerModel.LoadEmbedded()!;

    [Fact]
    public async Task A_promoted_model_for_another_embedding_model_is_refused_and_the_current_one_kept()
    {
        var foreign = Retrained("another-model/onnx@1");
        var logs = new Logs();
        var holder = new TaggerModelHolder(model.Embedder, new Source(() => foreign), BuiltIn, logs);

        Assert.False(await holder.RefreshAsync(default));

        Assert.Same(BuiltIn, holder.Current);
        Assert.Contains(logs.Warnings, w => w.Contains("another-model/onnx@1") && w.Contains("Refused"));
    }

    [Fact]
    public async Task An_unreachable_training_service_leaves_the_current_model_and_a_reachable_one_swaps_it()
    {
        var logs = new Logs();
        TaggerModel? served = null;
        var holder = new TaggerModelHolder(model.Embedder, new Source(() => served ?? throw new HttpRequestException("connection refused")), BuiltIn, logs);

        Assert.False(await holder.RefreshAsync(default));
        Assert.Same(BuiltIn, holder.Current);

        served = Retrained(model.Embedder.ModelId);
        Assert.True(await holder.RefreshAsync(default));
        Assert.Same(served, holder.Current);
    }

    /// <summary>The built-in model, saved and loaded again under another embedding model's name, with other weights.</summary>
    private static TaggerModel Retrained(string embeddingModel)
    {
        using var stream = new MemoryStream();
        BuiltIn.Save(stream, "test");
        var json = System.Text.Encoding.UTF8.GetString(stream.ToArray());
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!;
        node["embeddingModel"] = embeddingModel;
        node["temperature"] = node["temperature"]!.GetValue<double>() * 2;
        return TaggerModel.Load(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(node.ToJsonString())));
    }

    private sealed class Source(Func<TaggerModel?> fetch) : ITaggerModelSource
    {
        public Task<PromotedTaggerModel?> FetchAsync(string embeddingModel, CancellationToken cancellationToken) =>
            Task.FromResult(fetch() is { } m ? new PromotedTaggerModel(Guid.NewGuid(), m) : null);
    }

    private sealed class Logs : ILogger
    {
        public List<string> Warnings { get; } = [];

        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (logLevel == LogLevel.Warning)
                lock (Warnings)
                    Warnings.Add(formatter(state, exception));
        }
    }
}
