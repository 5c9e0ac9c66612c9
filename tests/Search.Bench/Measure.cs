using System.Diagnostics;
using System.Globalization;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using System.Text.RegularExpressions;

namespace Papers.Search.Bench;

/// <summary>Resident memory of a process from /proc, in MiB: total, anonymous (heaps, the HNSW graph) and file-backed (memory-mapped Lucene files, code).</summary>
public sealed record Memory(double RssMb, double AnonMb, double FileMb, double PeakMb)
{
    public static Memory Of(int pid = 0)
    {
        var status = File.ReadAllLines(pid == 0 ? "/proc/self/status" : $"/proc/{pid}/status")
            .Select(l => l.Split(':', 2)).Where(p => p.Length == 2 && p[1].EndsWith(" kB", StringComparison.Ordinal))
            .ToDictionary(p => p[0], p => double.Parse(p[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture) / 1024);
        return new Memory(status["VmRSS"], status["RssAnon"], status["RssFile"] + status.GetValueOrDefault("RssShmem"), status["VmHWM"]);
    }
}

/// <summary>
/// One wrk run: requests per second and latency percentiles; the serving process's CPU time per
/// request (what a request costs, whatever the neighbours do), wrk's own CPU, and how busy the
/// whole machine was (cores' worth) — on a shared machine the rest is other people's work.
/// </summary>
public sealed record Load(string Endpoint, double RequestsPerSecond, double P50Ms, double P90Ms, double P99Ms, double MaxMs, long Requests, long Errors,
    double ServerCpuMsPerRequest = 0, double WrkCpuCores = 0, double ServerCpuCores = 0, double MachineBusyCores = 0);

/// <summary>CPU seconds of a process and of the whole machine, from /proc.</summary>
public readonly record struct CpuSample(double Process, double MachineBusy, double Wall)
{
    public static CpuSample Take(int pid)
    {
        var stat = File.ReadAllText($"/proc/{pid}/stat");
        var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
        var process = (double.Parse(fields[11], CultureInfo.InvariantCulture) + double.Parse(fields[12], CultureInfo.InvariantCulture)) / 100;
        var cpu = File.ReadLines("/proc/stat").First().Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(x => double.Parse(x, CultureInfo.InvariantCulture)).ToArray();
        var busy = (cpu.Take(8).Sum() - cpu[3] - cpu[4]) / 100;
        return new CpuSample(process, busy, Stopwatch.GetTimestamp() / (double)Stopwatch.Frequency);
    }
}

public static partial class Measure
{
    public static double Seconds(Stopwatch watch) => watch.Elapsed.TotalSeconds;

    /// <summary>Drops this directory's files from the page cache (posix_fadvise DONTNEED), so the next open reads the disk.</summary>
    public static void EvictFromPageCache(string directory)
    {
        foreach (var path in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            using var handle = File.OpenHandle(path);
            _ = posix_fadvise((int)handle.DangerousGetHandle(), 0, 0, 4);
        }
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int posix_fadvise(int fd, long offset, long length, int advice);

    /// <summary>CPU seconds of the children this process has waited for (wrk, once it exits).</summary>
    private static double ChildrenCpuSeconds()
    {
        var usage = new long[18];
        _ = getrusage(-1, usage); // RUSAGE_CHILDREN
        return usage[0] + usage[1] / 1e6 + usage[2] + usage[3] / 1e6;
    }

    [DllImport("libc", SetLastError = true)]
    private static extern int getrusage(int who, [Out] long[] usage);

    public static long DirectoryBytes(string directory) =>
        Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);

    /// <summary>
    /// Exact top-<paramref name="k"/> cosine neighbours of each query among papers 0..n-1,
    /// regenerating every vector from the corpus recipe (no 4 GB of floats held), on all cores.
    /// </summary>
    public static int[][] ExactNeighbours(Corpus corpus, int n, float[][] queries, int k)
    {
        var parts = Environment.ProcessorCount;
        var partial = new (float Similarity, int Paper)[parts][][];
        Parallel.For(0, parts, p =>
        {
            var heaps = queries.Select(_ => new PriorityQueue<int, float>(k + 1)).ToArray();
            var vector = new float[corpus.Dimensions];
            for (var i = (int)((long)n * p / parts); i < (int)((long)n * (p + 1) / parts); i++)
            {
                corpus.VectorInto(i, vector);
                for (var q = 0; q < queries.Length; q++)
                {
                    var similarity = TensorPrimitives.Dot(vector, queries[q]);
                    var heap = heaps[q];
                    if (heap.Count < k)
                        heap.Enqueue(i, similarity);
                    else if (heap.TryPeek(out _, out var worst) && similarity > worst)
                        heap.EnqueueDequeue(i, similarity);
                }
            }
            partial[p] = heaps.Select(h => h.UnorderedItems.Select(x => (x.Priority, x.Element)).ToArray()).ToArray();
        });
        return queries.Select((_, q) => partial.SelectMany(p => p[q]).OrderByDescending(x => x.Similarity).Take(k).Select(x => x.Paper).ToArray()).ToArray();
    }

    /// <summary>Runs wrk against one endpoint with the query file and parses the script's RESULT line.</summary>
    public static Load Wrk(string url, string endpoint, string queriesFile, string scriptFile, int connections, int threads, int seconds, int serverPid)
    {
        var start = new ProcessStartInfo("wrk", ["-t", threads.ToString(CultureInfo.InvariantCulture), "-c", connections.ToString(CultureInfo.InvariantCulture),
            "-d", $"{seconds}s", "--timeout", "10s", "-s", scriptFile, url])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        start.Environment["BENCH_QUERIES"] = queriesFile;
        start.Environment["BENCH_ENDPOINT"] = endpoint;
        var before = CpuSample.Take(serverPid);
        var childrenBefore = ChildrenCpuSeconds();
        using var wrk = Process.Start(start) ?? throw new InvalidOperationException("wrk did not start (apt-get install -y wrk)");
        var output = wrk.StandardOutput.ReadToEnd() + wrk.StandardError.ReadToEnd();
        wrk.WaitForExit();
        var after = CpuSample.Take(serverPid);
        var wall = after.Wall - before.Wall;
        var wrkCpu = ChildrenCpuSeconds() - childrenBefore;
        var match = ResultLine().Match(output);
        if (!match.Success)
            throw new InvalidOperationException($"wrk printed no result:\n{output}");
        long Field(string name) => long.Parse(match.Groups[name].Value, CultureInfo.InvariantCulture);
        return new Load(endpoint, Field("requests") / (Field("duration") / 1e6), Field("p50") / 1e3, Field("p90") / 1e3, Field("p99") / 1e3,
            Field("max") / 1e3, Field("requests"), Field("errors") + Field("status"),
            (after.Process - before.Process) * 1000 / Field("requests"), wrkCpu / wall,
            (after.Process - before.Process) / wall, (after.MachineBusy - before.MachineBusy) / wall);
    }

    [GeneratedRegex(@"RESULT requests=(?<requests>\d+) duration_us=(?<duration>\d+) p50_us=(?<p50>\d+) p90_us=(?<p90>\d+) p99_us=(?<p99>\d+) max_us=(?<max>\d+) errors=(?<errors>\d+) status_errors=(?<status>\d+)")]
    private static partial Regex ResultLine();

    /// <summary>wrk script: cycles through the query file (each thread from its own offset) and prints percentiles.</summary>
    public const string WrkScript = """
        local queries = {}
        for line in io.lines(os.getenv("BENCH_QUERIES")) do
          local k, q = line:match("^(%d+)\t(.*)$")
          queries[#queries + 1] = "k=" .. k .. "&q=" .. q
        end
        local endpoint = os.getenv("BENCH_ENDPOINT")
        local started = 0
        function setup(thread)
          thread:set("offset", started * 7919)
          started = started + 1
        end
        local counter = 0
        function init(args)
          counter = offset or 0
        end
        function request()
          counter = counter + 1
          return wrk.format("GET", endpoint .. "?" .. queries[(counter % #queries) + 1])
        end
        function done(summary, latency, requests)
          local e = summary.errors
          io.write(string.format("RESULT requests=%d duration_us=%d p50_us=%d p90_us=%d p99_us=%d max_us=%d errors=%d status_errors=%d\n",
            summary.requests, summary.duration, latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max,
            e.connect + e.read + e.write + e.timeout, e.status))
        end
        """;
}
