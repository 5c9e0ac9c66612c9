namespace Papers.Ingest.Parsing;

/// <summary>
/// One input item a line-oriented parser skipped. Line formats (JSONL, JSON arrays) report a bad
/// item and go on, because one broken line must not cost the rest of the file.
/// </summary>
/// <param name="Source">The file or URL.</param>
/// <param name="Line">1-based line where the item starts.</param>
/// <param name="Position">1-based position within the line, when the JSON reader knew it.</param>
/// <param name="Message">What is wrong.</param>
/// <param name="RecordId">The item's id, when it had a usable one (a harvest quarantines the item under it).</param>
/// <param name="Content">The item as received, for the quarantine; null where the format has no items of its own (a broken JSON line).</param>
public sealed record ParseProblem(string Source, int? Line, int? Position, string Message, string? RecordId = null, string? Content = null)
{
    public override string ToString() => ConnectorException.Describe(Source, Line, Position, Message);
}

/// <summary>The papers read from an input and the items that were skipped.</summary>
public sealed record ParseResult(IReadOnlyList<SourcePaper> Papers, IReadOnlyList<ParseProblem> Problems)
{
    public bool HasProblems => Problems.Count > 0;

    /// <summary>Items read, good and bad (deleted records included).</summary>
    public int Total => Papers.Count + Problems.Count;

    /// <summary>
    /// "11 of 12 parsed (10 papers, 1 deleted record), 1 failed: &lt;first problem&gt;": deleted
    /// records are parsed but are no papers, and the first failure is named.
    /// </summary>
    public string Summary()
    {
        var deleted = Papers.Count(p => p.Deleted);
        var text = $"{Papers.Count} of {Total} parsed";
        if (deleted > 0)
            text += $" ({Plural(Papers.Count - deleted, "paper")}, {Plural(deleted, "deleted record")})";
        text += $", {Problems.Count} failed";
        if (Problems is [var first, ..])
            text += $": {first.Message}" + (Problems.Count > 1 ? $" (and {Problems.Count - 1} more, listed above)" : string.Empty);
        return text;
    }

    private static string Plural(int count, string noun) => $"{count} {noun}{(count == 1 ? string.Empty : "s")}";
}
