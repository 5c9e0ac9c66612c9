using Papers.Ingest;
using Papers.ServiceDefaults;
using Papers.ServiceDefaults.Messaging;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddIngest();
builder.AddMessaging();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapIngest();
app.Run();
