using Papers.ServiceDefaults;
using Papers.ServiceDefaults.Embeddings;
using Papers.ServiceDefaults.Messaging;
using Papers.Training;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
// Papers' vectors come from Enrichment; the base set and category descriptions are embedded by the same model. Nobody waits.
builder.AddEnrichmentClient(EmbedBudget.Batch);
var training = builder.AddTraining();
builder.AddMessaging(training);

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapTraining();
return await app.RunAsync(args);
