namespace Papers.Search.Bench;

public static class Repository
{
    /// <summary>The checkout this bench runs from (the real papers are read there).</summary>
    public static string Root()
    {
        for (var dir = AppContext.BaseDirectory; dir is not null; dir = Path.GetDirectoryName(dir))
            if (File.Exists(Path.Combine(dir, "platform.sln")))
                return dir;
        return Directory.GetCurrentDirectory();
    }
}
