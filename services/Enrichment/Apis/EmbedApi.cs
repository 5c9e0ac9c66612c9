using Microsoft.AspNetCore.Http.HttpResults;
using Papers.ServiceDefaults.Embeddings;

namespace Papers.Enrichment.Apis;

/// <summary><c>POST /embed</c>: texts in, vectors out — how the Api embeds search queries.</summary>
public static class EmbedApi
{
    public const int MaxTexts = 256;
    public const int MaxTextLength = 100_000;

    public static IEndpointRouteBuilder MapEmbedApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/embed", EmbedAsync).WithName("Embed").WithTags("Embeddings");
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
