using System.Reflection;
using Papers.Contracts;

namespace Papers.Analytics.Archive;

/// <summary>
/// Every message type of <c>Papers.Contracts</c> the archive keeps, found in the assembly rather
/// than listed, so an event added to the contracts is archived without a change here. A message is
/// a public record of the contracts namespace that no other contract uses as a value inside it
/// (<see cref="PaperAuthor"/> and <see cref="TopicTag"/> are values, not messages): each has its own
/// fanout exchange (contracts/README.md).
/// </summary>
public sealed class ArchivedTypes
{
    public ArchivedTypes(Assembly contracts, IEnumerable<string> dropFields)
    {
        var records = contracts.GetExportedTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false, IsGenericType: false } && t.Namespace == typeof(PaperIngested).Namespace && IsRecord(t))
            .ToList();
        var values = records.SelectMany(t => t.GetProperties()).SelectMany(p => ComponentTypes(p.PropertyType)).ToHashSet();
        var drop = dropFields.ToHashSet(StringComparer.OrdinalIgnoreCase);
        All = [.. records.Where(t => !values.Contains(t)).OrderBy(t => t.Name, StringComparer.Ordinal).Select(t => new ArchiveSchema(t, drop))];
    }

    public IReadOnlyList<ArchiveSchema> All { get; }

    /// <summary>The type archived under <paramref name="name"/> (<c>PaperViewed</c>), case-insensitively; null when none is.</summary>
    public ArchiveSchema? Find(string? name) => All.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));

    public ArchiveSchema Of(Type type) => All.First(s => s.Type == type);

    private static bool IsRecord(Type type) => type.GetMethod("<Clone>$") is not null;

    /// <summary>The type itself, its element type if it is a list, and its generic arguments.</summary>
    private static IEnumerable<Type> ComponentTypes(Type type)
    {
        yield return type;
        if (type.IsArray)
            yield return type.GetElementType()!;
        foreach (var argument in type.GetGenericArguments())
            yield return argument;
    }
}
