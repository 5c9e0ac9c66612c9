using Papers.ServiceDefaults.Data;

namespace Papers.Training.Data;

/// <summary>For <c>dotnet ef migrations add</c>; see README, "Changing the schema".</summary>
public sealed class DesignTimeFactory : PostgresDesignTimeFactory<TrainingDbContext>;
