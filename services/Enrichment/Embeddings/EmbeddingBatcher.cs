using System.Threading.Channels;
using Papers.ServiceDefaults.Embeddings;

namespace Papers.Enrichment.Embeddings;

/// <summary>
/// Micro-batching in front of the model: small requests (search queries through
/// <c>POST /embed</c>, or in-process callers) that arrive within
/// <see cref="EmbeddingOptions.QueryBatchWindowMilliseconds"/> of each other, or while the
/// previous model call runs, share one model call; each caller gets its own vectors back.
/// Requests of <see cref="EmbeddingOptions.QueryBatchMaxTexts"/> texts or more are batches
/// already and go straight to the model, as do papers (<see cref="EmbeddingRole.Document"/>:
/// the consumer's batches), whose prefix differs from the queries'.
/// </summary>
public sealed class EmbeddingBatcher : ITextEmbedder, IDisposable
{
    private readonly ITextEmbedder _model;
    private readonly TimeSpan _window;
    private readonly int _maxTexts;
    private readonly Channel<Request> _requests = Channel.CreateUnbounded<Request>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task _loop;
    private int _modelCalls;

    public EmbeddingBatcher(ITextEmbedder model, EmbeddingOptions options)
    {
        _model = model;
        _window = TimeSpan.FromMilliseconds(options.QueryBatchWindowMilliseconds);
        _maxTexts = options.QueryBatchMaxTexts;
        _loop = Task.Run(LoopAsync);
    }

    public string ModelId => _model.ModelId;

    /// <summary>Model calls made for coalesced requests so far (for tests and diagnostics).</summary>
    internal int ModelCalls => Volatile.Read(ref _modelCalls);

    public Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, EmbeddingRole role, CancellationToken cancellationToken) =>
        role == EmbeddingRole.Query ? EmbedAsync(texts, cancellationToken) : _model.EmbedAsync(texts, role, cancellationToken);

    public async Task<float[][]> EmbedAsync(IReadOnlyList<string> texts, CancellationToken cancellationToken)
    {
        if (texts.Count == 0)
            return [];
        if (texts.Count >= _maxTexts)
            return await _model.EmbedAsync(texts, cancellationToken);
        var request = new Request(texts, new TaskCompletionSource<float[][]>(TaskCreationOptions.RunContinuationsAsynchronously), cancellationToken);
        if (!_requests.Writer.TryWrite(request))
            throw new ObjectDisposedException(nameof(EmbeddingBatcher));
        return await request.Done.Task.WaitAsync(cancellationToken);
    }

    private async Task LoopAsync()
    {
        var reader = _requests.Reader;
        var batch = new List<Request>();
        var texts = 0;
        void Drain()
        {
            while (texts < _maxTexts && reader.TryRead(out var request))
            {
                if (request.CancellationToken.IsCancellationRequested)
                    request.Done.TrySetCanceled(request.CancellationToken);
                else
                {
                    batch.Add(request);
                    texts += request.Texts.Count;
                }
            }
        }

        while (await reader.WaitToReadAsync())
        {
            batch.Clear();
            texts = 0;
            Drain();
            // What is queued joins at once; then a short window lets requests arriving together join too.
            if (batch.Count > 0 && texts < _maxTexts && _window > TimeSpan.Zero)
            {
                await Task.Delay(_window);
                Drain();
            }
            if (batch.Count == 0)
                continue;

            try
            {
                Interlocked.Increment(ref _modelCalls);
                var vectors = await _model.EmbedAsync(batch.SelectMany(r => r.Texts).ToList(), CancellationToken.None);
                var offset = 0;
                foreach (var request in batch)
                {
                    request.Done.TrySetResult(vectors[offset..(offset + request.Texts.Count)]);
                    offset += request.Texts.Count;
                }
            }
            catch (Exception ex)
            {
                foreach (var request in batch)
                    request.Done.TrySetException(ex);
            }
        }
    }

    public void Dispose()
    {
        _requests.Writer.TryComplete();
        _loop.Wait(TimeSpan.FromSeconds(5));
    }

    private sealed record Request(IReadOnlyList<string> Texts, TaskCompletionSource<float[][]> Done, CancellationToken CancellationToken);
}
