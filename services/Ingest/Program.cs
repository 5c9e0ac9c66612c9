using Papers.Ingest;
using Papers.Ingest.Commands;
using Papers.ServiceDefaults;
using Papers.ServiceDefaults.Messaging;

// Commands that run instead of the service: a dry-run parse, a backfill of a file, an on-demand
// harvest, the list of quarantined records.
if (args is ["parse", ..])
    return await ParseCommand.RunAsync(args, Console.Out, Console.Error);
if (args is ["backfill", ..])
    return await BackfillCommand.RunAsync(args);
if (args is ["harvest", ..])
    return await HarvestCommand.RunAsync(args, Console.Out, Console.Error);
if (args is ["quarantine", ..])
    return await QuarantineCommand.RunAsync(args, Console.Out, Console.Error);

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
var ingest = builder.AddIngest();
builder.AddMessaging(ingest);

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapIngest();
return await app.RunAsync(args);
