using TfMfa.Demo;

// The offline demo: the real tfmfa program against local stand-ins for GitHub and AWS.
//   dotnet run --project src/TfMfa.Demo                  scripted people
//   dotnet run --project src/TfMfa.Demo -- --interactive you type the /mfa comment and the approval
var interactive = args.Contains("--interactive");
using var cancellation = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancellation.Cancel(); };

await using var world = await DemoWorld.StartAsync();
return await new DemoScript(world, interactive).RunAsync(cancellation.Token);
