using System.Reflection;
using System.Text;
using System.Text.Json;
using Papers.Contracts;

namespace Papers.Contracts.Tests;

/// <summary>
/// Pins the wire shape of every message: analytics consumers deserialize these. A change here
/// means a new message version, not an edit (contracts/README.md).
/// </summary>
public sealed class ContractShapeTests
{
    // MassTransit's System.Text.Json serializer writes camelCase, as the web defaults do.
    private static readonly JsonSerializerOptions Wire = new(JsonSerializerDefaults.Web);

    [Fact]
    public void Message_shapes_match_the_pinned_shapes()
    {
        var expected = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "contracts.shape.txt")).ReplaceLineEndings("\n").Trim();
        var actual = DescribeAll().Trim();
        Assert.True(expected == actual, "The contract shapes changed. If that is intended, add a new message version instead. Current shapes:\n" + actual);
    }

    [Fact]
    public void Every_message_type_lives_in_the_contracts_namespace()
    {
        // Messages outside a namespace are silently not routed by MassTransit.
        Assert.All(MessageTypes(), t => Assert.Equal("Papers.Contracts", t.Namespace));
    }

    [Fact]
    public void A_sample_event_round_trips_through_json()
    {
        var sample = new PaperIngested("2401.01234", 2, "Title", "Abstract", [new PaperAuthor("Ada Lovelace", "Lovelace", "Ada")],
            "cs.LG", ["cs.LG", "stat.ML"], new DateOnly(2024, 1, 2), new DateOnly(2024, 1, 3), "arxiv-oai", 0,
            null, null, "10.1/x", null, "https://arxiv.org/abs/2401.01234", null, null, "abc", DateTimeOffset.Parse("2024-01-03T00:00:00Z"));

        var json = JsonSerializer.Serialize(sample, Wire);
        var back = JsonSerializer.Deserialize<PaperIngested>(json, Wire)!;

        Assert.Contains("\"paperId\":\"2401.01234\"", json);
        Assert.Contains("\"publishedOn\":\"2024-01-02\"", json);
        Assert.Equal(sample.Authors, back.Authors);
        Assert.Equal(sample.Categories, back.Categories);
        Assert.Equal(sample with { Authors = back.Authors, Categories = back.Categories }, back);
    }

    [Fact]
    public void An_event_published_before_dois_existed_still_reads_and_a_new_one_carries_them()
    {
        var sample = new PaperIngested("p-0123456789ab", 1, "T", "A", [], null, [], null, new DateOnly(2024, 1, 3), "file", 0,
            null, null, "10.1/a", null, null, null, null, "abc", DateTimeOffset.Parse("2024-01-03T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture),
            ["10.1/a", "10.1/b"]);
        var json = JsonSerializer.Serialize(sample, Wire);
        var old = json.Replace(",\"dois\":[\"10.1/a\",\"10.1/b\"]", "", StringComparison.Ordinal);

        Assert.Contains("\"dois\":[\"10.1/a\",\"10.1/b\"]", json);
        Assert.DoesNotContain("dois", old);
        Assert.Null(JsonSerializer.Deserialize<PaperIngested>(old, Wire)!.Dois);
        Assert.Equal(["10.1/a", "10.1/b"], JsonSerializer.Deserialize<PaperIngested>(json, Wire)!.Dois);
    }

    private static IEnumerable<Type> MessageTypes() =>
        typeof(PaperIngested).Assembly.GetExportedTypes().Where(t => t.IsClass && !t.IsAbstract).OrderBy(t => t.Name, StringComparer.Ordinal);

    private static string DescribeAll()
    {
        var text = new StringBuilder();
        foreach (var type in MessageTypes())
        {
            text.Append(type.FullName).Append('\n');
            foreach (var p in type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.Name != "EqualityContract"))
                text.Append("  ").Append(Wire.PropertyNamingPolicy!.ConvertName(p.Name)).Append(": ").Append(Describe(p)).Append('\n');
        }
        return text.ToString();
    }

    private static string Describe(PropertyInfo p)
    {
        var nullable = new NullabilityInfoContext().Create(p).ReadState == NullabilityState.Nullable;
        return TypeName(p.PropertyType) + (nullable && !p.PropertyType.IsValueType ? "?" : "");
    }

    private static string TypeName(Type t)
    {
        if (Nullable.GetUnderlyingType(t) is { } inner)
            return TypeName(inner) + "?";
        if (t.IsArray)
            return TypeName(t.GetElementType()!) + "[]";
        if (t.IsGenericType)
            return t.Name[..t.Name.IndexOf('`')] + "<" + string.Join(",", t.GetGenericArguments().Select(TypeName)) + ">";
        return t.Name;
    }
}
