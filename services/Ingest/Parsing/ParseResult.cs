namespace Papers.Ingest.Parsing;

/// <summary>
/// One input item a line-oriented parser skipped. Line formats (JSONL, JSON arrays) report a bad
/// item and go on, because one broken line must not cost the rest of the file.
/// </summary>
/// <param name="Source">The file or URL.</param>
/// <param name="Line">1-based line where the item starts.</param>
/// <param name="Position">1-based position within the line, when the JSON reader knew it.</param>
/// <param name="Message">What is wrong.</param>
public sealed record ParseProblem(string Source, int? Line, int? Position, string Message)
{
    public override string ToString() => ConnectorException.Describe(Source, Line, Position, Message);
}

/// <summary>The papers read from an input and the items that were skipped.</summary>
public sealed record ParseResult(IReadOnlyList<SourcePaper> Papers, IReadOnlyList<ParseProblem> Problems)
{
    public bool HasProblems => Problems.Count > 0;
}
