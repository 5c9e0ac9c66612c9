using System.Globalization;
using Papers.Web.Bench;

// multiply <data folder> <papers> <out folder> | memory <data folder>: see scripts/bench-web.sh.
if (args is ["memory", var folder])
    return await Memory.RunAsync(folder);
if (args is not ["multiply", var data, var countText, var output] || !int.TryParse(countText, CultureInfo.InvariantCulture, out var count))
{
    Console.Error.WriteLine("usage: Papers.Web.Bench multiply <data folder with api.db> <papers> <out folder for ids.txt, queries.txt, day.txt>");
    Console.Error.WriteLine("       Papers.Web.Bench memory <data folder with api.db>");
    return 2;
}
return await Multiply.RunAsync(data, count, output);
