namespace Papers.Search.Bench;

/// <summary>The bench's commands and options, printed for an unknown command.</summary>
public static class Usage
{
    public static int Print()
    {
        Console.WriteLine("""
            Papers.Search.Bench (dotnet run --project tests/Search.Bench -c Release -- <command>)
              run --papers N [--work DIR] [--quantization I8|F16|BF16|F32] [--baseline] [--compare-quantization]
                  [--duration 30] [--connections 16] [--threads 2] [--endpoints /search,/search-vector[,/search-http]]
                  [--recall-queries 300] [--reuse] [--skip-disk]
                  builds the disk index of N synthetic papers (timed), recall@10 of HNSW against exact search,
                  then a serving process: cold start, resident memory, wrk load per endpoint; --baseline also
                  serves the in-memory index of the same papers; --compare-quantization builds HNSW graphs of
                  each storage type (vectors only) and compares build time, memory and recall
              table [--work DIR]
                  every result in the work folder as one table
            """);
        return 2;
    }
}
