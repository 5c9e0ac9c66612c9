namespace Papers.Contracts;

/// <summary>An author as the source lists them, in order.</summary>
/// <param name="Name">The full name as displayed.</param>
/// <param name="Keyname">Family name, where the source separates it (arXiv does).</param>
/// <param name="Forenames">Given names, where the source separates them.</param>
public record PaperAuthor(string Name, string? Keyname = null, string? Forenames = null);
