using Papers.Enrichment;
using Papers.ServiceDefaults;
using Papers.ServiceDefaults.Messaging;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
var enrichment = builder.AddEnrichment();
builder.AddMessaging(enrichment);

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapEnrichment();
return await app.RunAsync(args);
