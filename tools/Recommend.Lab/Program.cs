using Papers.Recommend.Lab;

// eval: see README.md beside this file.
return args is ["eval", .. var rest] ? await ReadersEval.RunAsync(rest) : Usage();

static int Usage()
{
    Console.Error.WriteLine("usage: eval [--readers N (per category and k, default 20)] [--seed S] [--cache FILE (embeddings)]");
    return 2;
}
