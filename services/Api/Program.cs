using Papers.Api;
using Papers.ServiceDefaults;
using Papers.ServiceDefaults.Embeddings;
using Papers.ServiceDefaults.Messaging;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
// Query embeddings for search: a person waits, so Enrichment gets a short budget (then keywords only).
builder.AddEnrichmentClient(EmbedBudget.Interactive);
var api = builder.AddApi();
builder.AddMessaging(api);

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapApi();
return await app.RunAsync(args);

