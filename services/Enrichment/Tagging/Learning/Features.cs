namespace Papers.Enrichment.Tagging.Learning;

/// <summary>Rows of a feature matrix, dense (embeddings) or sparse (TF-IDF), as a linear model reads them.</summary>
internal interface IFeatures
{
    int Count { get; }

    int Dimensions { get; }

    /// <summary>The non-zero entries of a row: feature indexes (empty for a dense row: all of them, in order) and values.</summary>
    void Row(int row, out ReadOnlySpan<int> index, out ReadOnlySpan<float> values);
}

internal sealed class DenseFeatures(float[][] rows) : IFeatures
{
    public int Count => rows.Length;

    public int Dimensions => rows.Length == 0 ? 0 : rows[0].Length;

    public void Row(int row, out ReadOnlySpan<int> index, out ReadOnlySpan<float> values)
    {
        index = default;
        values = rows[row];
    }
}
