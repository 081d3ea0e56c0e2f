using System.CommandLine;
using Switchyard.Cli;

// Signals are left to the host: System.CommandLine would end the process two seconds after
// SIGTERM or Ctrl+C, cutting short the drain of open streams and of the ledger (rows waiting on a
// busy store were lost, not spooled). `serve`'s host stops gracefully on them itself.
return await SwitchyardCommands.Build().Parse(args).InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null });
