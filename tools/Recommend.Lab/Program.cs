using Papers.Recommend.Lab;

// eval: see README.md beside this file.
return args is ["eval", .. var rest] ? await ReadersEval.RunAsync(rest) : Usage();

static int Usage()
{
    Console.Error.WriteLine("usage: eval [--readers N (per category and k, default 20)] [--seed S] [--cache FILE (embeddings)] [--k 3|10|30 (one size only)] [--c C] [--keyword-weight W] [--expansion E] [--tag-weight W] [--tags-full-from N] (ours' settings, to sweep) [--split dev|held-out]");
    return 2;
}
