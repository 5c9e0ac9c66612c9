using Papers.Search.Bench;

// The search scale bench (not a test): see services/Api/README.md, "Search sizing".
return args switch
{
    ["run", .. var rest] => await RunCommand.RunAsync(new Args(rest)),
    ["serve", .. var rest] => await ServeCommand.RunAsync(new Args(rest)),
    ["profile", .. var rest] => ProfileCommand.Run(new Args(rest)),
    ["table", .. var rest] => Report.PrintAll(new Workspace(new Args(rest).String("work") ?? RunCommand.DefaultWork, Repository.Root())),
    _ => Usage.Print(),
};
