using TfMfa.StandIns.Aws;
using TfMfa.StandIns.Terraform;

namespace TfMfa.StandIns.World;

/// <summary>
/// The AWS side of a job, and terraform's, the same on every platform: the AWS stand-in with the
/// CI user <c>ci</c> and its long-term keys, the user's virtual MFA device (the authenticator a
/// person reads codes from, on the stand-in's clock), the S3 bucket <c>tfstate</c> terraform keeps
/// its state in, terraform's (empty) CLI config, and root modules whose backend is that bucket.
/// </summary>
public sealed class AwsWorld : IAsyncDisposable
{
    /// <summary>How long an authenticator shows one code.</summary>
    public static readonly TimeSpan CodeWindow = TimeSpan.FromSeconds(30);

    private readonly Action<TimeSpan>? _advance;

    private AwsWorld(AwsStandIn aws, string home, Action<TimeSpan>? advance, bool requireMfaForWrites)
    {
        Aws = aws;
        Home = home;
        _advance = advance;
        User = aws.AddUser("ci");
        Device = aws.AddVirtualMfaDevice(User);
        Bucket = aws.AddBucket("tfstate", requireMfaForWrites);
        Directory.CreateDirectory(home);
        File.WriteAllText(CliConfigFile, "");
    }

    /// <param name="home">The job's home directory, where terraform's CLI config is.</param>
    /// <param name="clock">The stand-in's clock, which the authenticators read too; real time when null.</param>
    /// <param name="advance">Moves <paramref name="clock"/> on, for <see cref="NextCodeWindow"/>; without it, the next code comes in real time.</param>
    /// <param name="requireMfaForWrites">The bucket's policy denies writes by a session without MFA.</param>
    public static async Task<AwsWorld> StartAsync(string home, TimeProvider? clock = null, Action<TimeSpan>? advance = null, bool requireMfaForWrites = false) =>
        new(await AwsStandIn.StartAsync(clock), home, advance, requireMfaForWrites);

    public AwsStandIn Aws { get; }
    public TimeProvider Clock => Aws.Clock;
    public IamUser User { get; }

    /// <summary>The CI user's device: <c>AWS_MFA_SERIAL_NUMBER</c>, the one everybody shares unless the config gives them their own.</summary>
    public VirtualMfaDevice Device { get; }

    public S3Bucket Bucket { get; }
    public string Home { get; }
    public string CliConfigFile => Path.Combine(Home, ".terraformrc");

    /// <summary>The code <paramref name="device"/> (by default the CI user's) shows now.</summary>
    public string CurrentCode(VirtualMfaDevice? device = null) => (device ?? Device).CodeAt(Clock.GetUtcNow());

    /// <summary>A six-digit code that is valid in none of the windows the stand-in accepts.</summary>
    public string WrongCode(int from = 902174) => Device.WrongCodeAt(Clock.GetUtcNow(), from); // 902174.. is not in the account id, so leak checks stay meaningful

    /// <summary>Moves to the next 30-second window, so the authenticator shows a fresh code (AWS takes each code once).</summary>
    public void NextCodeWindow() =>
        (_advance ?? throw new InvalidOperationException("This world's clock is real time: wait for the next code, or give StartAsync a clock to advance."))(CodeWindow);

    /// <summary>A root module in <paramref name="directory"/> whose state is <paramref name="stateKey"/> in the bucket.</summary>
    public void WriteModule(string directory, string stateKey) => SampleModule.Write(directory, Aws.Endpoint, Bucket.Name, stateKey);

    /// <summary>
    /// The job's AWS and terraform variables: the MFA device (by default the CI user's) and its
    /// owner's keys, STS at the stand-in, terraform's CLI config.
    /// </summary>
    public Dictionary<string, string> Variables(VirtualMfaDevice? device = null)
    {
        device ??= Device;
        return new(StringComparer.Ordinal)
        {
            ["AWS_ACCESS_KEY_ID"] = device.Owner.AccessKeyId,
            ["AWS_SECRET_ACCESS_KEY"] = device.Owner.SecretAccessKey,
            ["AWS_MFA_SERIAL_NUMBER"] = device.SerialNumber,
            ["AWS_ENDPOINT_URL_STS"] = Aws.Endpoint,
            ["AWS_EC2_METADATA_DISABLED"] = "true",
            ["TF_CLI_CONFIG_FILE"] = CliConfigFile,
            ["CHECKPOINT_DISABLE"] = "1",
        };
    }

    /// <summary>STS calls that carried an MFA code (the key check before asking is not one).</summary>
    public IReadOnlyList<AwsRequestRecord> CodesSentToSts => [.. Aws.Requests.Where(r => r.TokenCode is not null)];

    public IReadOnlyList<AwsRequestRecord> S3Requests => [.. Aws.Requests.Where(r => r.Service == "s3")];

    public IReadOnlyList<AwsRequestRecord> StsCalls(string operation) => [.. Aws.Requests.Where(r => r.Service == "sts" && r.Operation == operation)];

    public ValueTask DisposeAsync() => Aws.DisposeAsync();
}
