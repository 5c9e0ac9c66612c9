namespace Papers.Contracts;

/// <summary>
/// An Enrichment replica is running and enriches with this embedding model. Each replica
/// publishes it when it starts and again every few minutes (so a listener that was not yet
/// there still learns it). The model of the most recently <em>started</em> replica is the one
/// papers should have: the Api re-enriches papers whose vectors came from any other.
/// </summary>
/// <param name="EmbeddingModel">Model id and version, as in <see cref="PaperEnriched.EmbeddingModel"/>.</param>
/// <param name="Dimensions">Length of its vectors.</param>
/// <param name="Instance">The replica (host name and process id), for logs.</param>
/// <param name="StartedAt">When the replica started: the same in every announcement of one replica.</param>
/// <param name="AnnouncedAt">When this announcement was sent.</param>
public record EnrichmentRunning(string EmbeddingModel, int Dimensions, string Instance, DateTimeOffset StartedAt, DateTimeOffset AnnouncedAt);
