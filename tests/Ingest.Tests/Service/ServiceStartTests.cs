using System.Diagnostics;

namespace Papers.Ingest.Tests.Service;

/// <summary>
/// The Ingest service itself (not a command), started as a process as it is deployed: a bad
/// source setting stops it before it starts, with one line naming the setting and the value on
/// stderr and exit code 2, not an unhandled exception (exit 134) with its stack trace.
/// </summary>
public sealed class ServiceStartTests : IDisposable
{
    private readonly string _data = Directory.CreateTempSubdirectory("ingest-start-").FullName;

    public void Dispose() => Directory.Delete(_data, recursive: true);

    [Theory]
    [InlineData("Sources__ArxivOai__MetadataPrefix", "bogus",
        "Sources:ArxivOai:MetadataPrefix is 'bogus'; expected arXiv or arXivRaw (Dublin Core repositories are Sources:OaiDc)")]
    [InlineData("Sources__ArxivOai__MinDelay", "abc",
        "Failed to convert configuration value 'abc' at 'Sources:ArxivOai:MinDelay' to type 'System.TimeSpan'.")]
    public async Task A_bad_source_setting_stops_the_service_with_one_line_naming_it_and_exit_2(string variable, string value, string reason)
    {
        var start = new ProcessStartInfo("dotnet", [typeof(Papers.Ingest.Harvest.HfDailyJob).Assembly.Location])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = _data,
        };
        start.Environment["Database__DataDirectory"] = _data;
        start.Environment["Messaging__Transport"] = "InMemory";
        start.Environment["ASPNETCORE_URLS"] = "http://127.0.0.1:0";
        start.Environment[variable] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"the service was still running after 90 s with {variable}={value}: {await stdout}");
        }

        var output = await stdout + await stderr;
        Assert.True(process.ExitCode == 2, $"exit {process.ExitCode}: {output}");
        Assert.Equal($"Papers.Ingest: bad setting: {reason}", (await stderr).Trim());
        Assert.DoesNotContain("Exception", output, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", output, StringComparison.Ordinal);
    }
}
