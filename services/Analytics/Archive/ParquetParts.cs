using Parquet;

namespace Papers.Analytics.Archive;

/// <summary>Writes one Parquet file of one type's rows: one row group, flushed to the disk before it counts.</summary>
public static class ParquetParts
{
    private static readonly ParquetOptions Options = new() { CompressionMethod = CompressionMethod.Snappy };

    /// <summary>Writes <paramref name="rows"/> to <paramref name="path"/> (which must not exist); returns the values redacted for privacy.</summary>
    public static async Task<int> WriteAsync(ArchiveSchema schema, IReadOnlyList<ArchiveRow> rows, string path, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var redacted = 0;
        await using (var file = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, useAsync: false))
        {
            await using (var writer = await ParquetWriter.CreateAsync(schema.Parquet, file, Options, cancellationToken: cancellationToken))
            {
                using var group = writer.CreateRowGroup();
                foreach (var column in schema.Columns)
                    redacted += await column.WriteAsync(group, rows, cancellationToken);
            }
            // On the disk, not just in the page cache, before the messages in it are acknowledged.
            file.Flush(flushToDisk: true);
        }
        return redacted;
    }

    /// <summary>
    /// Makes a committed file visible under its final name. Another replica's recovery may have
    /// done it already (<see cref="ArchiveRecovery"/>): then the file is there, which is all that counts.
    /// </summary>
    public static void Publish(string pendingPath, string finalPath)
    {
        try
        {
            File.Move(pendingPath, finalPath);
        }
        catch (FileNotFoundException) when (File.Exists(finalPath))
        {
        }
    }
}
