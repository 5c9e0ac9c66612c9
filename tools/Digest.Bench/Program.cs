using Papers.Digest.Bench;

// Papers.Digest.Bench [subscribers=100000] [papers=2000] [mails=2000]: see README, "Digest benchmark".
var numbers = args.Select(a => int.TryParse(a, out var n) && n > 0 ? n : -1).ToList();
if (numbers.Any(n => n < 0) || numbers.Count > 3)
{
    Console.Error.WriteLine("usage: Papers.Digest.Bench [subscribers=100000] [papers=2000] [mails=2000]");
    Console.Error.WriteLine("  needs PAPERS_TEST_SMTP (host:port of an SMTP server that accepts everything, such as scripts/infra.sh's aiosmtpd);");
    Console.Error.WriteLine("  PAPERS_TEST_POSTGRES (a server connection string) records the sends in PostgreSQL, else in a SQLite file.");
    return 2;
}
return await Bench.RunAsync(numbers.ElementAtOrDefault(0) is > 0 and var s ? s : 100_000, numbers.ElementAtOrDefault(1) is > 0 and var p ? p : 2_000,
    numbers.ElementAtOrDefault(2) is > 0 and var m ? m : 2_000);
