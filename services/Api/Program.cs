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
app.Run();

/// <summary>Entry point, visible to <c>WebApplicationFactory</c> in tests.</summary>
public partial class Program;
