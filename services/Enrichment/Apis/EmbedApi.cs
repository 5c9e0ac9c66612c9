using Microsoft.AspNetCore.Http.HttpResults;
using Papers.ServiceDefaults.Embeddings;
using Papers.ServiceDefaults.Security;

namespace Papers.Enrichment.Apis;

/// <summary><c>POST /embed</c>: texts in, vectors out — how the Api embeds search queries.</summary>
public static class EmbedApi
{
    /// <summary>
    /// Bounds on one request, checked before any model work: the model reads at most
    /// <c>Embedding:MaxTokens</c> (256) tokens of a text anyway, so longer texts only cost
    /// tokenising; 64 texts cover a digest's topics and a batch of queries.
    /// </summary>
    public const int MaxTexts = 64, MaxTextLength = 10_000;

    public const long MaxBodyBytes = 1024 * 1024;

    public static IEndpointRouteBuilder MapEmbedApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/embed", EmbedAsync).WithName("Embed").WithTags("Embeddings")
            .RateLimited(RequestClass.Embed).MaxBodySize(MaxBodyBytes);
        return app;
    }

    public static async Task<Results<Ok<EmbedResponse>, ValidationProblem>> EmbedAsync(EmbedRequest request, ITextEmbedder embedder, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Texts is null || request.Texts.Count == 0)
            errors["texts"] = ["Give at least one text."];
        else if (request.Texts.Count > MaxTexts)
            errors["texts"] = [$"At most {MaxTexts} texts per request; got {request.Texts.Count}."];
        else if (request.Texts.ToList().FindIndex(t => t is null || t.Length > MaxTextLength) is var index and >= 0)
            errors[$"texts[{index}]"] = [request.Texts[index] is { } bad ? $"A text may have at most {MaxTextLength} characters; this one has {bad.Length}." : "A text is null."];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);

        var vectors = await embedder.EmbedAsync(request.Texts!, cancellationToken);
        return TypedResults.Ok(new EmbedResponse(embedder.ModelId, vectors));
    }
}
