namespace Papers.Ingest.Parsing;

/// <summary>
/// A connector could not use what a source sent. The message always names the source (file or
/// URL) and, where known, the line and position, so that an operator can find the bad bytes.
/// </summary>
public abstract class ConnectorException : Exception
{
    protected ConnectorException(string sourceName, int? line, int? position, string detail, Exception? inner = null)
        : base(Describe(sourceName, line, position, detail), inner)
    {
        SourceName = sourceName;
        Line = line;
        Position = position;
        Detail = detail;
    }

    /// <summary>The file or URL the bad input came from.</summary>
    public string SourceName { get; }

    /// <summary>1-based line of the problem, when known.</summary>
    public int? Line { get; }

    /// <summary>1-based position within the line, when known.</summary>
    public int? Position { get; }

    /// <summary>What is wrong, without the location.</summary>
    public string Detail { get; }

    internal static string Describe(string sourceName, int? line, int? position, string detail) =>
        (line, position) switch
        {
            (null, _) => $"{sourceName}: {detail}",
            (_, null) => $"{sourceName}: line {line}: {detail}",
            _ => $"{sourceName}: line {line}, position {position}: {detail}",
        };
}

/// <summary>The input is not in the expected format: truncated XML, a wrong namespace, an HTML page
/// instead of XML, a required field missing.</summary>
public sealed class ConnectorFormatException(string sourceName, int? line, int? position, string detail, Exception? inner = null)
    : ConnectorException(sourceName, line, position, detail, inner);

/// <summary>An OAI-PMH <c>&lt;error code="..."&gt;</c> other than <c>noRecordsMatch</c>.</summary>
public sealed class OaiPmhException(string sourceName, int? line, int? position, string code, string message)
    : ConnectorException(sourceName, line, position, $"OAI-PMH error {code}: {message}")
{
    /// <summary>The OAI-PMH error code: <c>badArgument</c>, <c>badResumptionToken</c>, <c>badVerb</c>,
    /// <c>cannotDisseminateFormat</c>, <c>idDoesNotExist</c>, <c>noSetHierarchy</c>, ...</summary>
    public string Code { get; } = code;

    /// <summary>The repository's own text for the error.</summary>
    public string ErrorText { get; } = message;
}

/// <summary>The arXiv query API answered with its <c>Error</c> entry (a bad id, a bad query).</summary>
public sealed class ArxivApiException(string sourceName, int? line, string message, string? errorId)
    : ConnectorException(sourceName, line, null, $"arXiv API error: {message}")
{
    /// <summary>The error entry's id, e.g. <c>https://arxiv.org/api/errors#incorrect_id_format_for_abc</c>.</summary>
    public string? ErrorId { get; } = errorId;

    /// <summary>The API's own message, e.g. <c>incorrect id format for abc</c>.</summary>
    public string ErrorText { get; } = message;
}
