namespace Papers.Api.Apis.V1;

/// <summary>
/// <c>/v1</c>, our versioned API: cursor paging everywhere (<c>nextCursor</c>), filters by date range,
/// category, topic and author, <c>fields=</c> selection, batch lookup, similar papers, topics; one
/// problem shape (RFC 9457) with a stable <c>code</c>; ETags and <c>Cache-Control</c> on reads.
/// </summary>
public static class V1Api
{
    public static IEndpointRouteBuilder MapV1Api(this IEndpointRouteBuilder app)
    {
        var v1 = app.MapGroup("/v1").WithTags("v1");
        v1.MapV1Papers();
        v1.MapV1Browse();
        return app;
    }
}
