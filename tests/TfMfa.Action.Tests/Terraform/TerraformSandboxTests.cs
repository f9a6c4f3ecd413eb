using TfMfa.Hosting;
using TfMfa.Terraform;

namespace TfMfa.Tests.Terraform;

/// <summary>The walls' file handling, without the root-only parts (those are proven end to end).</summary>
public sealed class TerraformSandboxTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tfmfa-sandbox-").FullName;
    private readonly TerraformSandbox _sandbox = TerraformSandbox.Unwalled(new DictionaryEnvironment(new Dictionary<string, string>()));

    public void Dispose()
    {
        _sandbox.Dispose();
        Directory.Delete(_directory, recursive: true);
    }

    [Fact]
    public void A_sealed_plan_is_a_copy_that_later_writes_to_the_original_do_not_reach()
    {
        var written = Path.Combine(_directory, "plan.tfplan");
        File.WriteAllText(written, "plan bytes");

        var sealedPath = _sandbox.Seal(written);
        File.WriteAllText(written, "swapped");

        Assert.NotEqual(written, sealedPath);
        Assert.Equal("plan bytes", File.ReadAllText(sealedPath));
    }

    [Fact]
    public void A_plan_that_is_a_symlink_is_never_followed_into_the_sealed_copy()
    {
        var secret = Path.Combine(_directory, "environ");
        File.WriteAllText(secret, "AWS_SECRET_ACCESS_KEY=...");
        var written = Path.Combine(_directory, "plan.tfplan");
        File.CreateSymbolicLink(written, secret);

        var refused = Assert.Throws<TfMfaException>(() => _sandbox.Seal(written));

        Assert.Contains("is not a regular file", refused.Message);
    }

    [Fact(Timeout = 30_000)]
    public async Task A_plan_that_is_a_pipe_is_refused_without_blocking()
    {
        if (OperatingSystem.IsWindows()) return;
        var written = Path.Combine(_directory, "plan.tfplan");
        await CliWrap.Cli.Wrap("mkfifo").WithArguments([written]).ExecuteAsync(TestContext.Current.CancellationToken);

        var refused = await Task.Run(() => Assert.Throws<TfMfaException>(() => _sandbox.Seal(written)), TestContext.Current.CancellationToken);

        Assert.Contains("is not a regular file", refused.Message);
    }
}
