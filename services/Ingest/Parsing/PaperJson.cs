using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Papers.Ingest.Parsing;

/// <summary>Our JSONL export of <see cref="SourcePaper"/>: camelCase, nulls left out, LaTeX and
/// non-ASCII text written as is (the output is a data file, never embedded in HTML).</summary>
public static class PaperJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static string ToJsonLine(SourcePaper paper) => JsonSerializer.Serialize(paper, Options);
}
