using Switchyard.Agents.FakeModel;

// fake-model serve --urls URL --key KEY --log FILE
// fake-model check --log FILE --gateway-log FILE --token T --file PATH --out1 FILE --exit1 N --out2 FILE --exit2 N
var options = new Dictionary<string, string>();
for (var i = 1; i + 1 < args.Length; i += 2)
{
    options[args[i].TrimStart('-')] = args[i + 1];
}

string Option(string name) => options.TryGetValue(name, out var value) ? value : throw new ArgumentException($"--{name} is required");

switch (args.FirstOrDefault())
{
    case "serve":
        await FakeServer.RunAsync(Option("urls"), Option("key"), Option("log"));
        return 0;
    case "check":
        var check = new CellCheck(Option("log"), Option("gateway-log"), Option("token"), Option("file"),
            CellOutput.Read(Option("out1"), int.Parse(Option("exit1"), System.Globalization.CultureInfo.InvariantCulture)),
            CellOutput.Read(Option("out2"), int.Parse(Option("exit2"), System.Globalization.CultureInfo.InvariantCulture)));
        var failure = check.Failure();
        Console.WriteLine(failure is null ? "pass" : "FAIL " + failure);
        return failure is null ? 0 : 1;
    default:
        Console.Error.WriteLine("usage: FakeModel serve --urls URL --key KEY --log FILE | check --log FILE --gateway-log FILE --token T --file PATH --out1 F --exit1 N --out2 F --exit2 N");
        return 2;
}
