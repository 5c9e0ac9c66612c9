using Papers.Api;
using Papers.ServiceDefaults;
using Papers.ServiceDefaults.Messaging;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApi();
builder.AddMessaging();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapApi();
return await app.RunAsync(args);

