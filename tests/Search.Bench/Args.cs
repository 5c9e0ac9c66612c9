using System.Globalization;

namespace Papers.Search.Bench;

/// <summary>--name value pairs and --flags.</summary>
public sealed class Args
{
    private readonly Dictionary<string, string?> _named = new(StringComparer.Ordinal);

    public Args(string[] args)
    {
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
                throw new ArgumentException($"Unexpected argument '{args[i]}'.");
            _named[args[i][2..]] = i + 1 < args.Length && !args[i + 1].StartsWith("--", StringComparison.Ordinal) ? args[++i] : null;
        }
    }

    public bool Has(string name) => _named.ContainsKey(name);

    public string? String(string name) => _named.GetValueOrDefault(name);

    public string Required(string name) => String(name) ?? throw new ArgumentException($"--{name} is required.");

    public int Int(string name, int fallback) =>
        _named.TryGetValue(name, out var v) && v is not null ? int.Parse(v.Replace("_", "", StringComparison.Ordinal), CultureInfo.InvariantCulture) : fallback;
}
