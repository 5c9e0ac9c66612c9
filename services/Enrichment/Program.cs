using Papers.Enrichment;
using Papers.Enrichment.Commands;
using Papers.ServiceDefaults;
using Papers.ServiceDefaults.Messaging;

// Offline commands (bench, eval, train, convert) run instead of the web host.
if (EnrichmentCommands.IsCommand(args))
    return await EnrichmentCommands.RunAsync(args);

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
var enrichment = builder.AddEnrichment();
builder.AddMessaging(enrichment);

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapEnrichment();
return await app.RunAsync(args);
