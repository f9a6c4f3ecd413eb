using System.Diagnostics;
using System.Reflection;
using TfMfa.StandIns.Aws;
using TfMfa.StandIns.Terraform;

// A local gated plan: the AWS stand-in on 127.0.0.1, a terraform module whose state lives in its
// S3, a config that requires MFA for plans, and the real tfmfa program asking for a code.
var interactive = args.Contains("--interactive");

await using var aws = await AwsStandIn.StartAsync();
var user = aws.AddUser("ci");
var device = aws.AddVirtualMfaDevice(user);
aws.AddBucket("tfstate");

var root = Directory.CreateTempSubdirectory("tfmfa-local-").FullName;
var workspace = Path.Combine(root, "workspace");
SampleModule.Write(Path.Combine(workspace, "infra"), aws.Endpoint, "tfstate", "local/terraform.tfstate");
Directory.CreateDirectory(Path.Combine(workspace, ".github"));
File.WriteAllText(Path.Combine(workspace, ".github", "tfmfa.yml"), "default-level: plans-and-applies\n");
var cliConfig = Path.Combine(root, "terraformrc");
File.WriteAllText(cliConfig, "");

Console.WriteLine($"""
    TfMfa local gated plan
      AWS stand-in (STS + S3):  {aws.Endpoint}
      IAM user:                 {user.Arn}
      virtual MFA device:       {device.SerialNumber}
      workspace:                {workspace}
      config:                   .github/tfmfa.yml -> default-level: plans-and-applies

    """);
if (!File.Exists("/usr/local/bin/terraform") && !(Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, "terraform"))))
    Console.WriteLine("terraform is not on PATH: the MFA part runs, then the run stops where terraform would start. Install it: https://developer.hashicorp.com/terraform/install\n");

var code = device.CodeAt(DateTimeOffset.UtcNow);
var secondsLeft = 30 - DateTimeOffset.UtcNow.ToUnixTimeSeconds() % 30;
Console.WriteLine(interactive
    ? $"The device shows {code} for {secondsLeft} more seconds; type it at the prompt (input is hidden).\n"
    : $"The device shows {code}; the demo types it for you (run with --interactive to type it yourself).\n");

var actionDirectory = Assembly.GetExecutingAssembly()
    .GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "TfMfaActionDirectory").Value!;
var start = new ProcessStartInfo("dotnet") { RedirectStandardInput = !interactive };
start.ArgumentList.Add(Path.GetFullPath(Path.Combine(actionDirectory, "tfmfa.dll")));
start.ArgumentList.Add("plan");
foreach (var name in start.Environment.Keys.Where(k => k.StartsWith("AWS_", StringComparison.Ordinal) || k.StartsWith("GITHUB_", StringComparison.Ordinal)).ToList())
    start.Environment.Remove(name);
start.Environment["GITHUB_WORKSPACE"] = workspace;
start.Environment["INPUT_WORKING-DIRECTORY"] = "infra";
start.Environment["AWS_ACCESS_KEY_ID"] = user.AccessKeyId;
start.Environment["AWS_SECRET_ACCESS_KEY"] = user.SecretAccessKey;
start.Environment["AWS_MFA_SERIAL_NUMBER"] = device.SerialNumber;
start.Environment["AWS_ENDPOINT_URL_STS"] = aws.Endpoint;
start.Environment["AWS_EC2_METADATA_DISABLED"] = "true";
start.Environment["TF_CLI_CONFIG_FILE"] = cliConfig;
start.Environment["CHECKPOINT_DISABLE"] = "1";

using var tfmfa = Process.Start(start)!;
if (!interactive)
{
    await tfmfa.StandardInput.WriteLineAsync(code);
    tfmfa.StandardInput.Close();
}
await tfmfa.WaitForExitAsync();

var s3 = aws.Requests.Where(r => r.Service == "s3").ToList();
var session = aws.IssuedSessions.FirstOrDefault();
Console.WriteLine($"""

    Recap
      tfmfa exit code:            {tfmfa.ExitCode}
      STS calls:                  {string.Join(", ", aws.Requests.Where(r => r.Service == "sts").Select(r => $"{r.Operation} ({(r.ErrorCode ?? "ok")})"))}
      MFA session issued:         {(session is null ? "none" : $"{session.AccessKeyId[..4]}****{session.AccessKeyId[^4..]} for {session.Arn}, MFA {(session.MfaAuthenticated ? "present" : "absent")}")}
      S3 requests by terraform:   {s3.Count}, signed by {string.Join(", ", s3.Select(r => r.AccessKeyId is { } k ? $"{k[..4]}****{k[^4..]}" : "nobody").Distinct())}
    """);

try { Directory.Delete(root, recursive: true); } catch (IOException) { }
return tfmfa.ExitCode;
