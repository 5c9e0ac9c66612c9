using System.Linq.Expressions;
using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Parquet;
using Parquet.Schema;

namespace Papers.Analytics.Archive;

/// <summary>One message as the archive receives it: its envelope's id and sent time, and the record.</summary>
public sealed record ArchiveRow(Guid MessageId, DateTime? SentTime, object Message)
{
    public DateTime EventTime { get; init; }

    public DateOnly Day => DateOnly.FromDateTime(EventTime);
}

/// <summary>
/// How one message type is laid out in Parquet, derived from the record: <c>messageId</c>,
/// <c>sentTime</c> and <c>eventTime</c>, then one column per field under its JSON (camelCase)
/// name. Text, numbers, flags, timestamps (UTC) and dates keep their type; ids become text; lists
/// and nested records are JSON text (DuckDB reads them with <c>from_json</c> / <c>-&gt;&gt;</c>).
/// The event's time is its last timestamp field (<c>viewedAt</c>, <c>ingestedAt</c>: every
/// contract ends with it), or the envelope's sent time for a type without one.
/// </summary>
public sealed class ArchiveSchema
{
    public const string MessageIdColumn = "messageId", SentTimeColumn = "sentTime", EventTimeColumn = "eventTime";

    /// <summary>The field of the events about one paper (views, upvotes…), which compaction also counts per paper.</summary>
    public const string PaperIdColumn = "paperId";

    /// <summary>Property names and values as on the wire (MassTransit's JSON: camelCase, enums as text).</summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter() } };

    private readonly Func<object, DateTimeOffset>? _eventTime;

    public ArchiveSchema(Type type, ISet<string> dropFields)
    {
        Type = type;
        var properties = type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0).OrderBy(p => p.MetadataToken).ToList();
        Dropped = properties.Select(p => (p.Name, Reason: ArchivePrivacy.DropReason(type, p.Name, dropFields))).Where(d => d.Reason is not null).ToDictionary(d => d.Name, d => d.Reason!);
        Fields = [.. properties.Where(p => !Dropped.ContainsKey(p.Name)).Select(FieldColumn.For)];
        Columns =
        [
            new StringColumn(MessageIdColumn, r => r.MessageId.ToString()),
            new TimestampColumn(SentTimeColumn, r => r.SentTime),
            new TimestampColumn(EventTimeColumn, r => r.EventTime),
            .. Fields,
        ];
        Parquet = new ParquetSchema(Columns.Select(c => c.Field));
        if (properties.LastOrDefault(p => p.PropertyType == typeof(DateTimeOffset)) is { } time)
        {
            EventTimeField = JsonName(time);
            _eventTime = Getter<DateTimeOffset>(time);
        }
    }

    public Type Type { get; }

    /// <summary>The folder and view name: the record's name (<c>PaperViewed</c>).</summary>
    public string Name => Type.Name;

    /// <summary>The field whose value is the event's time, or null (the envelope's sent time is used).</summary>
    public string? EventTimeField { get; }

    /// <summary>Fields not archived, and why.</summary>
    public IReadOnlyDictionary<string, string> Dropped { get; }

    public IReadOnlyList<ArchiveColumn> Columns { get; }

    internal IReadOnlyList<FieldColumn> Fields { get; }

    public ParquetSchema Parquet { get; }

    /// <summary>Whether the events are about one paper each (a text <c>paperId</c>): compaction then also writes their counts per paper.</summary>
    public bool CountsPerPaper => Fields.Any(f => f.Name == PaperIdColumn && f.SqlType == "VARCHAR");

    /// <summary>The row for a received message, with its event time.</summary>
    public ArchiveRow Row(Guid messageId, DateTime? sentTime, object message)
    {
        var sent = sentTime is { } s ? DateTime.SpecifyKind(s, DateTimeKind.Utc) : (DateTime?)null;
        var time = _eventTime?.Invoke(message).UtcDateTime ?? sent ?? DateTime.UtcNow;
        return new ArchiveRow(messageId, sent, message) { EventTime = time };
    }

    /// <summary>The message again from its archived columns (as read back by DuckDB), for replay.</summary>
    public object Message(IReadOnlyDictionary<string, object?> columns)
    {
        var json = new JsonObject();
        foreach (var field in Fields)
            json[field.Name] = columns.TryGetValue(field.Name, out var value) ? field.ToJson(value) : null;
        return json.Deserialize(Type, Json) ?? throw new InvalidOperationException($"An archived {Name} read back as null.");
    }

    internal static string JsonName(PropertyInfo property) => JsonNamingPolicy.CamelCase.ConvertName(property.Name);

    internal static Func<object, T> Getter<T>(PropertyInfo property)
    {
        var message = Expression.Parameter(typeof(object));
        var value = Expression.Convert(Expression.Property(Expression.Convert(message, property.DeclaringType!), property), typeof(T));
        return Expression.Lambda<Func<object, T>>(value, message).Compile();
    }
}

/// <summary>One Parquet column and how its values are taken from a batch of rows.</summary>
public abstract class ArchiveColumn(DataField field, string sqlType)
{
    public DataField Field { get; } = field;

    /// <summary>The column's type as DuckDB reads it (<c>VARCHAR</c>, <c>TIMESTAMPTZ</c>…).</summary>
    public string SqlType { get; } = sqlType;

    public string Name => Field.Name;

    /// <summary>Writes this column of <paramref name="rows"/>; returns how many values were redacted.</summary>
    internal abstract Task<int> WriteAsync(ParquetRowGroupWriter group, IReadOnlyList<ArchiveRow> rows, CancellationToken cancellationToken);
}

internal sealed class StringColumn(string name, Func<ArchiveRow, string?> value, bool redact = false) : ArchiveColumn(new DataField<string>(name, true), "VARCHAR")
{
    internal override async Task<int> WriteAsync(ParquetRowGroupWriter group, IReadOnlyList<ArchiveRow> rows, CancellationToken cancellationToken)
    {
        var values = new string[rows.Count];
        var redactions = 0;
        for (var i = 0; i < values.Length; i++)
        {
            var text = value(rows[i]);
            if (redact)
            {
                text = ArchivePrivacy.Redact(text, out var redacted);
                redactions += redacted ? 1 : 0;
            }
            values[i] = text!;
        }
        await group.WriteAsync(Field, values);
        return redactions;
    }
}

internal sealed class TimestampColumn(string name, Func<ArchiveRow, DateTime?> value)
    : ArchiveColumn(new DateTimeDataField(name, DateTimeFormat.Timestamp, isAdjustedToUTC: true, DateTimeTimeUnit.Micros, isNullable: true), "TIMESTAMPTZ")
{
    internal override async Task<int> WriteAsync(ParquetRowGroupWriter group, IReadOnlyList<ArchiveRow> rows, CancellationToken cancellationToken)
    {
        var values = new DateTime?[rows.Count];
        for (var i = 0; i < values.Length; i++)
            values[i] = value(rows[i]);
        await group.WriteAsync<DateTime>(Field, values, cancellationToken: cancellationToken);
        return 0;
    }
}

internal sealed class ValueColumn<T>(string name, Func<ArchiveRow, T?> value) : ArchiveColumn(new DataField<T?>(name), SqlTypes[typeof(T)])
    where T : struct
{
    private static readonly Dictionary<Type, string> SqlTypes = new()
    {
        [typeof(int)] = "INTEGER",
        [typeof(long)] = "BIGINT",
        [typeof(double)] = "DOUBLE",
        [typeof(float)] = "FLOAT",
        [typeof(bool)] = "BOOLEAN",
        [typeof(DateOnly)] = "DATE",
    };

    internal override async Task<int> WriteAsync(ParquetRowGroupWriter group, IReadOnlyList<ArchiveRow> rows, CancellationToken cancellationToken)
    {
        var values = new T?[rows.Count];
        for (var i = 0; i < values.Length; i++)
            values[i] = value(rows[i]);
        await group.WriteAsync<T>(Field, values, cancellationToken: cancellationToken);
        return 0;
    }
}

/// <summary>A column that holds one field of the record, and how its archived value turns back into JSON.</summary>
internal sealed class FieldColumn(ArchiveColumn column, Func<object, JsonNode?> toJson) : ArchiveColumn(column.Field, column.SqlType)
{
    public JsonNode? ToJson(object? archived) => archived is null or DBNull ? null : toJson(archived);

    internal override Task<int> WriteAsync(ParquetRowGroupWriter group, IReadOnlyList<ArchiveRow> rows, CancellationToken cancellationToken) =>
        column.WriteAsync(group, rows, cancellationToken);

    public static FieldColumn For(PropertyInfo property)
    {
        var name = ArchiveSchema.JsonName(property);
        var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
        var get = ArchiveSchema.Getter<object?>(property);
        if (type == typeof(string))
            return new(new StringColumn(name, r => (string?)get(r.Message), redact: true), v => JsonValue.Create((string)v));
        if (type == typeof(int))
            return Value<int>(name, get);
        if (type == typeof(long))
            return Value<long>(name, get);
        if (type == typeof(double))
            return Value<double>(name, get);
        if (type == typeof(float))
            return Value<float>(name, get);
        if (type == typeof(bool))
            return Value<bool>(name, get);
        if (type == typeof(DateOnly))
            return new(new ValueColumn<DateOnly>(name, r => (DateOnly?)get(r.Message)), v => JsonValue.Create(v is DateTime d ? DateOnly.FromDateTime(d) : (DateOnly)v));
        if (type == typeof(DateTimeOffset))
            return new(new TimestampColumn(name, r => ((DateTimeOffset?)get(r.Message))?.UtcDateTime), v => JsonValue.Create(Utc(v)));
        if (type == typeof(DateTime))
            return new(new TimestampColumn(name, r => ((DateTime?)get(r.Message))?.ToUniversalTime()), v => JsonValue.Create(Utc(v).UtcDateTime));
        if (type == typeof(Guid) || type.IsEnum)
            return new(new StringColumn(name, r => get(r.Message)?.ToString()), v => JsonValue.Create((string)v));
        // Lists and nested records: their JSON, as on the wire (addresses in it redacted like any text).
        return new(new StringColumn(name, r => get(r.Message) is { } v ? JsonSerializer.Serialize(v, property.PropertyType, ArchiveSchema.Json) : null, redact: true),
            v => JsonNode.Parse((string)v));
    }

    private static FieldColumn Value<T>(string name, Func<object, object?> get) where T : struct =>
        new(new ValueColumn<T>(name, r => (T?)get(r.Message)), v => JsonValue.Create(Convert.ChangeType(v, typeof(T), System.Globalization.CultureInfo.InvariantCulture)));

    /// <summary>DuckDB hands a timestamp back as a <see cref="DateTime"/> (UTC) or an offset; the archive stores only UTC.</summary>
    private static DateTimeOffset Utc(object value) => value switch
    {
        DateTimeOffset o => o.ToUniversalTime(),
        DateTime d => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc)),
        _ => throw new InvalidCastException($"An archived timestamp read back as {value.GetType().Name}."),
    };
}
