using Papers.Enrichment.Lab.Commands;

// bench, eval, train, convert: see README.md beside this file.
return await EnrichmentCommands.RunAsync(args);
