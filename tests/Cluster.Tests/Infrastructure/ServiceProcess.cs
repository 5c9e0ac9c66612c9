using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;

namespace Papers.Cluster.Tests.Infrastructure;

/// <summary>
/// One service (or one command of a service) as a real process: <c>dotnet Papers.X.dll</c> from
/// the build output of the configuration these tests were built with, its output in a log file.
/// </summary>
public sealed class ServiceProcess : IDisposable
{
    private readonly Dictionary<string, string?> _environment;
    private readonly string[] _arguments;
    private readonly object _logLock = new();
    private Process? _process;
    private StreamWriter? _log;

    public ServiceProcess(string service, string logPath, IDictionary<string, string?> environment, int? port = null, params string[] arguments)
    {
        Service = service;
        LogPath = logPath;
        Port = port;
        _arguments = arguments;
        _environment = new Dictionary<string, string?>(environment);
        if (port is not null)
            _environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
    }

    public string Service { get; }

    /// <summary>The command's arguments (none for a service).</summary>
    public IReadOnlyList<string> Arguments => _arguments;

    public string LogPath { get; }

    public int? Port { get; }

    public Uri BaseUri => new($"http://127.0.0.1:{Port}/");

    public bool HasExited => _process is null || _process.HasExited;

    /// <summary>Stopped with SIGSTOP (<see cref="PauseAsync"/>): alive, holding its connections, answering nothing.</summary>
    public bool IsPaused { get; private set; }

    public static string RepositoryRoot { get; } = FindRoot();

    public static string Configuration { get; } =
        typeof(ServiceProcess).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";

    public static string Dll(string service) =>
        Path.Combine(RepositoryRoot, "services", service, "bin", Configuration, "net10.0", $"Papers.{service}.dll");

    /// <summary>Changes a variable for the next <see cref="Start"/> (a redeploy with new configuration).</summary>
    public void SetEnvironment(string name, string? value) => _environment[name] = value;

    public void Start()
    {
        var dll = Dll(Service);
        if (!File.Exists(dll))
            throw new FileNotFoundException($"{dll} is missing: build the solution in {Configuration} first (scripts/test.sh does).", dll);
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        info.ArgumentList.Add(dll);
        foreach (var a in _arguments)
            info.ArgumentList.Add(a);
        foreach (var (k, v) in _environment)
            info.Environment[k] = v;

        lock (_logLock)
        {
            _log ??= new StreamWriter(LogPath, append: true) { AutoFlush = true };
            _log.WriteLine($"==== {DateTime.UtcNow:HH:mm:ss.fff} start {Service} {string.Join(' ', _arguments)}");
        }
        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => Write(e.Data);
        process.ErrorDataReceived += (_, e) => Write(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
    }

    private void Write(string? line)
    {
        if (line is null)
            return;
        lock (_logLock)
            _log?.WriteLine(line);
    }

    /// <summary>SIGKILL, the whole process tree, as a crash or an OOM kill would.</summary>
    public void Kill()
    {
        if (_process is { HasExited: false } p)
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit(10_000);
        }
        IsPaused = false;
        Mark("killed");
    }

    /// <summary>
    /// SIGSTOP: the process hangs as a stuck or swapped-out one does, its sockets still open (so
    /// callers wait on it instead of being refused).
    /// </summary>
    public async Task PauseAsync()
    {
        await SignalAsync("STOP");
        IsPaused = true;
        Mark("paused (SIGSTOP)");
    }

    /// <summary>SIGCONT after <see cref="PauseAsync"/>.</summary>
    public async Task ResumeAsync()
    {
        await SignalAsync("CONT");
        IsPaused = false;
        Mark("resumed (SIGCONT)");
    }

    private async Task SignalAsync(string signal)
    {
        if (_process is not { HasExited: false } p)
            throw new InvalidOperationException($"{Service} is not running: nothing to send SIG{signal} to");
        await Shell.RunCheckedAsync("kill", [$"-{signal}", p.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)], TimeSpan.FromSeconds(10));
    }

    private void Mark(string what)
    {
        lock (_logLock)
            _log?.WriteLine($"==== {DateTime.UtcNow:HH:mm:ss.fff} {what}");
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await _process!.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            throw new TimeoutException($"{Service} {string.Join(' ', _arguments)} did not exit within {timeout.TotalSeconds:0} s");
        }
        _process.WaitForExit(); // drains the output events
        return _process.ExitCode;
    }

    public async Task WaitReadyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { BaseAddress = BaseUri, Timeout = TimeSpan.FromSeconds(5) };
        await Eventually.UntilAsync(async () =>
        {
            if (HasExited)
                throw new ProcessExitedException($"{Service} exited with {_process?.ExitCode} before it was ready; log: {LogPath}");
            using var response = await http.GetAsync("health/ready");
            return response.StatusCode == HttpStatusCode.OK;
        }, timeout, $"{Service} /health/ready", TimeSpan.FromMilliseconds(200));
    }

    /// <summary>The last lines of the log, without stack frames (the messages tell more per line).</summary>
    public string Tail(int lines = 30)
    {
        lock (_logLock)
            _log?.Flush();
        if (!File.Exists(LogPath))
            return "(no log)";
        using var stream = new FileStream(LogPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        using var reader = new StreamReader(stream);
        var all = reader.ReadToEnd().Split('\n')
            .Where(l => !l.TrimStart().StartsWith("at ", StringComparison.Ordinal) && !l.TrimStart().StartsWith("--- End of", StringComparison.Ordinal));
        // One-line log entries carry their exception's stack on the same line: keep the message.
        return string.Join('\n', all.TakeLast(lines).Select(l => l.Length > 600 ? l[..600] + " …" : l));
    }

    public void Dispose()
    {
        Kill();
        _process?.Dispose();
        lock (_logLock)
        {
            _log?.Dispose();
            _log = null;
        }
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "platform.sln")))
                return dir.FullName;
        throw new InvalidOperationException($"platform.sln not found above {AppContext.BaseDirectory}");
    }
}

/// <summary>A service ended while a test waited on it: fail at once instead of waiting out the timeout.</summary>
public sealed class ProcessExitedException(string message) : Exception(message);
