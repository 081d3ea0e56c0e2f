using Switchyard.Cli;

return await SwitchyardCommands.Build().Parse(args).InvokeAsync();
