using System.Runtime.InteropServices;
using System.Text.Json;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace Papers.ServiceDefaults.Data;

/// <summary>Column mappings that work the same on SQLite and PostgreSQL.</summary>
public static class ColumnConversions
{
    /// <summary>Stores a list or record as JSON text, compared by value.</summary>
    public static PropertyBuilder<T> HasJsonConversion<T>(this PropertyBuilder<T> property)
    {
        property.HasConversion(new ValueConverter<T, string>(v => Serialize(v), s => Deserialize<T>(s)),
            new ValueComparer<T>((a, b) => Serialize(a) == Serialize(b), v => Serialize(v).GetHashCode(), v => Deserialize<T>(Serialize(v))));
        return property;
    }

    /// <summary>Stores an embedding as raw little-endian float bytes (1.5 KB for 384 dimensions).</summary>
    public static PropertyBuilder<float[]?> HasVectorConversion(this PropertyBuilder<float[]?> property)
    {
        property.HasConversion(new ValueConverter<float[]?, byte[]?>(v => ToBytes(v), b => ToFloats(b)),
            new ValueComparer<float[]?>((a, b) => SameVector(a, b), v => v == null ? 0 : v.Length, v => v == null ? null : v.ToArray()));
        return property;
    }

    private static string Serialize<T>(T value) => JsonSerializer.Serialize(value);

    private static T Deserialize<T>(string json) => JsonSerializer.Deserialize<T>(json)!;

    private static bool SameVector(float[]? a, float[]? b) => a is null ? b is null : b is not null && a.AsSpan().SequenceEqual(b);

    private static byte[]? ToBytes(float[]? v) => v is null ? null : MemoryMarshal.AsBytes(v.AsSpan()).ToArray();

    private static float[]? ToFloats(byte[]? b) => b is null ? null : MemoryMarshal.Cast<byte, float>(b).ToArray();
}
