using Microsoft.Extensions.Time.Testing;
using TfMfa.StandIns.Aws;
using TfMfa.StandIns.Terraform;

namespace TfMfa.EndToEnd.Infrastructure;

/// <summary>
/// One end-to-end world: the AWS stand-in with a CI user, its virtual MFA device and a state
/// bucket; a workspace holding a terraform module and a config; and the variables the runner
/// would set. The stand-in's clock is fake, so a test can step to the next 30-second code.
/// </summary>
public sealed class GateScenario : IAsyncDisposable
{
    public static readonly TimeSpan RunTimeout = TimeSpan.FromMinutes(2);

    private GateScenario(AwsStandIn aws, FakeTimeProvider clock, string root)
    {
        Aws = aws;
        Clock = clock;
        Root = root;
        User = aws.AddUser("ci");
        Device = aws.AddVirtualMfaDevice(User);
        Bucket = aws.AddBucket("tfstate");
        Directory.CreateDirectory(Workspace);
        SampleModule.Write(ModuleDirectory, aws.Endpoint, Bucket.Name, "gate/terraform.tfstate");
        File.WriteAllText(CliConfigFile, "");
    }

    public AwsStandIn Aws { get; }
    public FakeTimeProvider Clock { get; }
    public string Root { get; }
    public IamUser User { get; }
    public VirtualMfaDevice Device { get; }
    public S3Bucket Bucket { get; }
    public string Workspace => Path.Combine(Root, "workspace");
    public string ModuleDirectory => Path.Combine(Workspace, "infra");
    public string OutputFile => Path.Combine(Root, "github_output");
    public string SummaryFile => Path.Combine(Root, "step_summary");
    private string CliConfigFile => Path.Combine(Root, "terraformrc");

    public Dictionary<string, string> Inputs { get; } = new(StringComparer.Ordinal)
    {
        ["command"] = "plan",
        ["working-directory"] = "infra",
    };

    public static async Task<GateScenario> StartAsync()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var aws = await AwsStandIn.StartAsync(clock);
        var root = Path.Combine(Path.GetTempPath(), "tfmfa-e2e-" + Guid.NewGuid().ToString("N")[..12]);
        return new GateScenario(aws, clock, root);
    }

    public void WriteConfig(string yaml)
    {
        var path = Path.Combine(Workspace, ".github", "tfmfa.yml");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, yaml);
    }

    /// <summary>The code the device shows now, on the stand-in's clock.</summary>
    public string CurrentCode() => Device.CodeAt(Clock.GetUtcNow());

    /// <summary>Moves to the next 30-second window, so the authenticator shows a fresh code.</summary>
    public void NextCodeWindow() => Clock.Advance(TimeSpan.FromSeconds(30));

    /// <summary>A six-digit code that is valid in none of the windows the stand-in accepts.</summary>
    public string WrongCode()
    {
        var now = Clock.GetUtcNow();
        var valid = new[] { -30, 0, 30 }.Select(s => Device.CodeAt(now.AddSeconds(s))).ToHashSet();
        var candidate = 902174; // not a substring of the stand-in account id, so a leak check stays meaningful
        while (valid.Contains(candidate.ToString("D6"))) candidate++;
        return candidate.ToString("D6");
    }

    public Dictionary<string, string> Environment()
    {
        var environment = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["GITHUB_ACTIONS"] = "true",
            ["GITHUB_WORKSPACE"] = Workspace,
            ["GITHUB_OUTPUT"] = OutputFile,
            ["GITHUB_STEP_SUMMARY"] = SummaryFile,
            ["GITHUB_ACTOR"] = "octocat",
            ["USER"] = "alice",
            ["AWS_ACCESS_KEY_ID"] = User.AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = User.SecretAccessKey,
            ["AWS_MFA_SERIAL_NUMBER"] = Device.SerialNumber,
            ["AWS_ENDPOINT_URL_STS"] = Aws.Endpoint,
            ["AWS_EC2_METADATA_DISABLED"] = "true",
            ["TF_CLI_CONFIG_FILE"] = CliConfigFile,
            ["CHECKPOINT_DISABLE"] = "1",
        };
        foreach (var (name, value) in Inputs) environment["INPUT_" + name.ToUpperInvariant()] = value;
        return environment;
    }

    public Task<ActionResult> RunAsync(params string[] codes) =>
        ActionProcess.RunAsync(Environment(), string.Concat(codes.Select(c => c + "\n")), RunTimeout);

    public IReadOnlyDictionary<string, string> Outputs()
    {
        var outputs = new Dictionary<string, string>(StringComparer.Ordinal);
        if (!File.Exists(OutputFile)) return outputs;
        var lines = File.ReadAllLines(OutputFile);
        for (var i = 0; i < lines.Length; i++)
        {
            var header = lines[i].Split("<<", 2);
            if (header.Length != 2) continue;
            var value = new List<string>();
            while (++i < lines.Length && lines[i] != header[1]) value.Add(lines[i]);
            outputs[header[0]] = string.Join('\n', value);
        }
        return outputs;
    }

    public string Summary() => File.Exists(SummaryFile) ? File.ReadAllText(SummaryFile) : "";

    public IReadOnlyList<AwsRequestRecord> S3Requests => [.. Aws.Requests.Where(r => r.Service == "s3")];

    public IReadOnlyList<AwsRequestRecord> StsCalls(string operation) => [.. Aws.Requests.Where(r => r.Service == "sts" && r.Operation == operation)];

    public async ValueTask DisposeAsync()
    {
        await Aws.DisposeAsync();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}
