using BenchmarkDotNet.Attributes;
using TfMfa.Codes;
using TfMfa.Config;
using TfMfa.RunLog;

namespace TfMfa.Bench;

/// <summary>The in-process hot spots: the comment parser, the config loader, and the redaction every output line goes through.</summary>
[MemoryDiagnoser]
public class InProcessBenchmarks
{
    private static readonly string SampleConfig = File.ReadAllText(Path.Combine(Repository.Root, "action", "tfmfa.yml"));
    private static readonly IReadOnlyDictionary<string, LocatedValue> NoInputs = new Dictionary<string, LocatedValue>();
    private readonly SecretRedactor _redactor = new();
    private readonly string _line = "terraform_data.whoami: Creating... " + new string('x', 85);

    [GlobalSetup]
    public void Setup()
    {
        foreach (var secret in new[] { "long-term-secret-0123456789abcdefghijklmno", "123456", "ASIAEXAMPLEEXAMPLE00", "session-secret-abcdefghijklmnopqrstuvwxyz", new string('t', 400) })
            _redactor.Add(secret);
    }

    [Benchmark]
    public MfaCommand ParseCodeComment() => MfaCommand.Parse("/mfa 123456");

    [Benchmark]
    public MfaCommand ParseOrdinaryComment() => MfaCommand.Parse("Looks good to me, but please rename the bucket.\n\nThanks!");

    [Benchmark]
    public MfaPolicy LoadSampleConfig() => PolicyBuilder.Build(RepoConfigReader.Read(SampleConfig, ".github/tfmfa.yml"), NoInputs);

    [Benchmark]
    public string RedactTerraformLine() => _redactor.Redact(_line);
}
