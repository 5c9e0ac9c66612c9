namespace Papers.Training.Learning;

/// <summary>A paper with its arXiv categories (today's ids, primary first).</summary>
public sealed record LabelledPaper(string Id, string Title, string Abstract, IReadOnlyList<string> Categories)
{
    public string Primary => Categories[0];

    /// <summary>What the model reads: the same text the consumer embeds.</summary>
    public string Text => string.IsNullOrWhiteSpace(Abstract) ? Title : $"{Title}. {Abstract}";
}
