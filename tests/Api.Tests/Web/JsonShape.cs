using System.Text.Json;
using System.Text.RegularExpressions;

namespace Papers.Api.Tests.Web;

/// <summary>
/// The shape of JSON documents: every field path (<c>.paper.authors[]._id</c>), the JSON types seen
/// there, how many of its parent objects carry it, and whether every string there is a Hugging
/// Face timestamp. Two shapes compare as a contract: see <see cref="Breaches"/>.
/// </summary>
public sealed partial class JsonShape
{
    private readonly Dictionary<string, HashSet<string>> _kinds = [];
    private readonly Dictionary<string, int> _present = [];
    private readonly Dictionary<string, int> _objects = new() { [""] = 0 };
    private readonly Dictionary<string, bool> _timestamps = [];

    public static JsonShape Of(params JsonElement[] documents)
    {
        var shape = new JsonShape();
        foreach (var document in documents)
            shape.Walk(document, "");
        return shape;
    }

    private void Walk(JsonElement value, string path)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Object:
                _objects[path] = _objects.GetValueOrDefault(path) + 1;
                foreach (var field in value.EnumerateObject())
                {
                    var child = path + "." + field.Name;
                    _present[child] = _present.GetValueOrDefault(child) + 1;
                    Note(child, field.Value);
                    Walk(field.Value, child);
                }
                break;
            case JsonValueKind.Array:
                foreach (var item in value.EnumerateArray())
                {
                    Note(path + "[]", item);
                    Walk(item, path + "[]");
                }
                break;
        }
    }

    private void Note(string path, JsonElement value)
    {
        if (!_kinds.TryGetValue(path, out var kinds))
            _kinds[path] = kinds = [];
        kinds.Add(Kind(value));
        if (value.ValueKind == JsonValueKind.String)
            _timestamps[path] = _timestamps.GetValueOrDefault(path, true) && HfTimestamp().IsMatch(value.GetString()!);
    }

    private static string Kind(JsonElement value) => value.ValueKind switch
    {
        JsonValueKind.True or JsonValueKind.False => "boolean",
        var k => k.ToString().ToLowerInvariant(),
    };

    /// <summary>Fields every parent object carries here, at every level down from the root: what a client may rely on.</summary>
    public IEnumerable<string> Required => _present.Keys.Where(IsRequired);

    private bool IsRequired(string path)
    {
        var parent = Parent(path);
        if (_present.GetValueOrDefault(path) < _objects.GetValueOrDefault(parent))
            return false;
        var owner = parent.EndsWith("[]", StringComparison.Ordinal) ? parent[..^2] : parent;
        return owner == "" || IsRequired(owner);
    }

    private static string Parent(string path) => path[..path.LastIndexOf('.')];

    /// <summary>
    /// Where <paramref name="ours"/> breaks the contract of <paramref name="theirs"/>: a field they
    /// always send that we leave out (or cannot show, having no object to carry it), a field of
    /// theirs whose JSON type differs in ours (null aside: it stands for data we do not have), and
    /// timestamps not written as theirs are. Fields they send only sometimes may be absent in ours.
    /// </summary>
    public static IReadOnlyList<string> Breaches(JsonShape theirs, JsonShape ours)
    {
        var breaches = new List<string>();
        foreach (var path in theirs.Required.Order(StringComparer.Ordinal))
        {
            var parent = Parent(path);
            if (ours._objects.GetValueOrDefault(parent) == 0)
                breaches.Add($"{path}: none of ours has {(parent == "" ? "a document" : parent)} to carry it");
            else if (ours._present.GetValueOrDefault(path) < ours._objects[parent])
                breaches.Add($"{path}: missing in {ours._objects[parent] - ours._present.GetValueOrDefault(path)} of our {ours._objects[parent]}");
        }
        foreach (var (path, kinds) in theirs._kinds.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            if (!ours._kinds.TryGetValue(path, out var our))
                continue;
            var unexpected = our.Where(k => k != "null" && !kinds.Contains(k)).ToList();
            if (unexpected.Count > 0)
                breaches.Add($"{path}: ours is {string.Join("/", unexpected)}, theirs {string.Join("/", kinds)}");
            if (theirs._timestamps.GetValueOrDefault(path) && ours._timestamps.TryGetValue(path, out var ok) && !ok)
                breaches.Add($"{path}: theirs are timestamps like 2026-06-12T00:00:00.000Z, ours are not");
        }
        return breaches;
    }

    /// <summary>How Hugging Face writes times: <c>2026-05-30T00:00:00.000Z</c>.</summary>
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$")]
    private static partial Regex HfTimestamp();
}
