using System.Security.Cryptography;
using System.Text;
using Papers.Contracts;

namespace Papers.Ingest.Intake;

/// <summary>Stable ids and content hashes: the same paper from any source gets the same id.</summary>
public static class PaperIdentity
{
    /// <summary>The arXiv id when there is one, else <c>p-</c> + a hash of the normalised title.</summary>
    public static string PaperId(string? arxivId, string title) =>
        string.IsNullOrWhiteSpace(arxivId) ? "p-" + TitleKey(title)[..12] : arxivId.Trim();

    /// <summary>Hash of the title lower-cased with everything but letters and digits removed.</summary>
    public static string TitleKey(string title)
    {
        var normalised = new StringBuilder(title.Length);
        foreach (var c in title.Normalize(NormalizationForm.FormKD))
            if (char.IsLetterOrDigit(c))
                normalised.Append(char.ToLowerInvariant(c));
        return Hash(normalised.ToString());
    }

    /// <summary>Changes when the title, abstract or author list changes, and only then.</summary>
    public static string ContentHash(string title, string @abstract, IEnumerable<PaperAuthor> authors) =>
        Hash(string.Join('\u001f', [title, @abstract, .. authors.Select(a => a.Name)]));

    private static string Hash(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..32];
}
