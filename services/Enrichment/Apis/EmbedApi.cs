using Microsoft.AspNetCore.Http.HttpResults;
using Papers.ServiceDefaults.Embeddings;
using Papers.ServiceDefaults.Security;

namespace Papers.Enrichment.Apis;

/// <summary><c>POST /embed</c>: texts in, vectors out, as queries or as documents — how the Api embeds search queries and Training its base set in a cluster.</summary>
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

    public static async Task<Results<Ok<EmbedResponse>, ValidationProblem, EmptyHttpResult>> EmbedAsync(
        EmbedRequest request, ITextEmbedder embedder, HttpContext http, RateLimiters limits, CancellationToken cancellationToken)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Texts is null || request.Texts.Count == 0)
            errors["texts"] = ["Give at least one text."];
        else if (request.Texts.Count > MaxTexts)
            errors["texts"] = [$"At most {MaxTexts} texts per request; got {request.Texts.Count}."];
        else if (request.Texts.ToList().FindIndex(t => t is null || t.Length > MaxTextLength) is var index and >= 0)
            errors[$"texts[{index}]"] = [request.Texts[index] is { } bad ? $"A text may have at most {MaxTextLength} characters; this one has {bad.Length}." : "A text is null."];
        var parsed = EmbedRequest.ParseRole(request.Role);
        if (parsed is null)
            errors["role"] = [$"role must be query or document; got '{Problems.Echo(request.Role!)}'."];
        if (errors.Count > 0 || parsed is not { } role)
            return TypedResults.ValidationProblem(errors);

        // The model works per text, so each text costs a permit of the embed limit: the request took
        // one, the others take the rest (a request of more texts than the caller's limit never could).
        if (limits.Enabled && request.Texts!.Count > 1)
        {
            var caller = Caller.Of(http);
            var limit = limits.ClassLimit(caller, RequestClass.Embed);
            if (request.Texts.Count > limit)
            {
                return TypedResults.ValidationProblem(new Dictionary<string, string[]>
                {
                    ["texts"] = [$"Your limit is {limit} texts per rate-limit window, so at most {limit} in one request; got {request.Texts.Count}. An API key raises it."],
                });
            }
            var decision = limits.AcquireForClass(caller, RequestClass.Embed, request.Texts.Count - 1);
            RateLimiters.WriteHeaders(http.Response, decision);
            if (!decision.Granted)
            {
                await RateLimiters.RefuseAsync(http, decision);
                return TypedResults.Empty;
            }
        }

        var vectors = await embedder.EmbedAsync(request.Texts!, role, cancellationToken);
        return TypedResults.Ok(new EmbedResponse(embedder.ModelId, vectors));
    }
}
