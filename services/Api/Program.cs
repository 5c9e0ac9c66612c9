using Papers.Api;
using Papers.ServiceDefaults;
using Papers.ServiceDefaults.Embeddings;
using Papers.ServiceDefaults.Messaging;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddEnrichmentClient();
var api = builder.AddApi();
builder.AddMessaging(api);

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapApi();
return await app.RunAsync(args);

