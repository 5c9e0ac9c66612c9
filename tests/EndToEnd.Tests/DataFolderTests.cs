using Microsoft.Data.Sqlite;

namespace Papers.EndToEnd.Tests;

/// <summary>The embedded default's SQLite files are not migrated: one from an older version must stop start-up with a clear message.</summary>
public sealed class DataFolderTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("papers-old-data-").FullName;

    [Fact]
    public void A_database_file_from_an_older_version_fails_start_up_naming_the_file_and_what_it_lacks()
    {
        var file = Path.Combine(_data, "api.db");
        using (var connection = new SqliteConnection($"Data Source={file};Pooling=false"))
        {
            connection.Open();
            using var create = connection.CreateCommand();
            create.CommandText = """CREATE TABLE enrichments ("PaperId" TEXT PRIMARY KEY, "Version" INTEGER NOT NULL)""";
            create.ExecuteNonQuery();
        }

        using var host = new LocalHost(_data);
        var error = Assert.ThrowsAny<Exception>(() => host.StartServer());

        var message = error is AggregateException a ? a.Flatten().InnerExceptions[0].Message : error.Message;
        Assert.Contains(file, message);
        Assert.Contains("older version", message);
        Assert.Contains("enrichments.EmbeddingModel", message);
    }

    public void Dispose()
    {
        try { Directory.Delete(_data, recursive: true); }
        catch (IOException) { /* SQLite may still hold a file on some systems; the OS temp cleaner takes it */ }
    }
}
