namespace Papers.Contracts;

/// <summary>
/// Command to Enrichment: enrich a paper again, answered with a <see cref="PaperEnriched"/> like
/// a <see cref="PaperIngested"/> is. The Api sends it when a paper's vectors came from another
/// embedding model than the one Enrichment now runs (see <see cref="EnrichmentRunning"/>).
/// </summary>
/// <param name="PaperId">The paper's stable id.</param>
/// <param name="Version">The version whose text this is.</param>
/// <param name="ContentHash">The content hash of that version, echoed in <see cref="PaperEnriched.ContentHash"/>.</param>
/// <param name="Title">Title, as ingested.</param>
/// <param name="Abstract">Abstract, as ingested.</param>
/// <param name="Reason">Why, for logs and analytics, e.g. <c>embedding model all-MiniLM-L6-v2/onnx@24.9.52193 → e5-small/onnx@sha256:…</c>.</param>
/// <param name="RequestedAt">When.</param>
public record EnrichPaper(
    string PaperId,
    int Version,
    string ContentHash,
    string Title,
    string Abstract,
    string Reason,
    DateTimeOffset RequestedAt);
