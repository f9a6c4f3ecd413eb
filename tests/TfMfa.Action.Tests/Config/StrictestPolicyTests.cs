using TfMfa.Config;

namespace TfMfa.Tests.Config;

public sealed class StrictestPolicyTests
{
    private static readonly IReadOnlyDictionary<string, LocatedValue> NoInputs = new Dictionary<string, LocatedValue>();
    private static readonly MfaPolicy WithoutFile = PolicyBuilder.Build(null, NoInputs);

    private static ConfigCopy Copy(ConfigCopyKind kind, string yaml) =>
        new(kind, kind.ToString(), PolicyBuilder.Build(RepoConfigReader.Read(yaml, kind.ToString()), NoInputs));

    private static ConfigCopy Absent(ConfigCopyKind kind) => new(kind, kind.ToString(), null);

    [Fact]
    public void A_pull_request_that_lowers_its_level_still_gets_the_default_branch_level()
    {
        var policy = StrictestPolicy.Combine("production", [
            Copy(ConfigCopyKind.Workspace, "environments: { production: never }"),
            Copy(ConfigCopyKind.DefaultBranch, "environments: { production: plans-and-applies }"),
        ], WithoutFile);

        Assert.Equal(MfaLevel.PlansAndApplies, policy.Level);
        Assert.Equal("DefaultBranch", policy.LevelSetBy);
    }

    [Fact]
    public void A_pull_request_can_raise_its_level()
    {
        var policy = StrictestPolicy.Combine("production", [
            Copy(ConfigCopyKind.Workspace, "default-level: plans-and-applies"),
            Copy(ConfigCopyKind.DefaultBranch, "default-level: applies-only"),
        ], WithoutFile);

        Assert.Equal(MfaLevel.PlansAndApplies, policy.Level);
        Assert.Equal("Workspace", policy.LevelSetBy);
    }

    [Fact]
    public void A_pull_request_that_deletes_the_file_still_gets_the_default_branch_level()
    {
        var policy = StrictestPolicy.Combine("production", [
            Absent(ConfigCopyKind.Workspace),
            Copy(ConfigCopyKind.DefaultBranch, "default-level: applies-only"),
        ], WithoutFile);

        Assert.Equal(MfaLevel.AppliesOnly, policy.Level);
    }

    [Fact]
    public void A_config_path_copy_on_the_default_branch_counts_too()
    {
        var policy = StrictestPolicy.Combine("production", [
            Copy(ConfigCopyKind.Workspace, "default-level: never"),
            Absent(ConfigCopyKind.DefaultBranch),
            Copy(ConfigCopyKind.DefaultBranchAtConfigPath, "default-level: plans-and-applies"),
        ], WithoutFile);

        Assert.Equal(MfaLevel.PlansAndApplies, policy.Level);
    }

    [Fact]
    public void Settings_that_only_loosen_never_come_from_the_workspace()
    {
        var policy = StrictestPolicy.Combine("production", [
            Copy(ConfigCopyKind.Workspace, "allow-fork-prs: true\napprovers: { min-permission: read, users: [mallory] }"),
            Copy(ConfigCopyKind.DefaultBranchAtConfigPath, "approvers: { min-permission: maintain }"),
            Copy(ConfigCopyKind.DefaultBranch, "approvers: { min-permission: admin, users: [alice] }"),
        ], WithoutFile);

        Assert.False(policy.AllowForkPrs);
        Assert.Equal(RepoPermission.Admin, policy.Approvers.MinPermission);
        Assert.Equal(["alice"], policy.Approvers.Users);
    }

    [Fact]
    public void Loosening_settings_fall_back_to_the_config_path_copy_then_the_defaults()
    {
        var fromConfigPath = StrictestPolicy.Combine("p", [
            Copy(ConfigCopyKind.Workspace, "allow-fork-prs: true"),
            Absent(ConfigCopyKind.DefaultBranch),
            Copy(ConfigCopyKind.DefaultBranchAtConfigPath, "approvers: { min-permission: maintain }"),
        ], WithoutFile);
        var fromDefaults = StrictestPolicy.Combine("p", [Copy(ConfigCopyKind.Workspace, "allow-fork-prs: true")], WithoutFile);

        Assert.Equal(RepoPermission.Maintain, fromConfigPath.Approvers.MinPermission);
        Assert.False(fromDefaults.AllowForkPrs);
        Assert.Equal(RepoPermission.Write, fromDefaults.Approvers.MinPermission);
    }

    [Fact]
    public void Role_and_wait_come_from_the_default_branch_whatever_the_workspace_copy_says()
    {
        var policy = StrictestPolicy.Combine("production", [
            Copy(ConfigCopyKind.Workspace, "default-level: plans-and-applies\nenvironments: { production: { role-to-assume: 'arn:aws:iam::123456789012:role/admin' } }\nwait: { timeout: 24h, poll-interval: 5m }"),
            Copy(ConfigCopyKind.DefaultBranch, "environments: { production: { level: applies-only, role-to-assume: 'arn:aws:iam::123456789012:role/deploy' } }"),
        ], WithoutFile);

        Assert.Equal(MfaLevel.PlansAndApplies, policy.Level); // raising is fine
        Assert.Equal("arn:aws:iam::123456789012:role/deploy", policy.RoleToAssume);
        Assert.Equal(TimeSpan.FromMinutes(10), policy.Wait.Timeout);
        Assert.Equal(TimeSpan.FromSeconds(2), policy.Wait.PollInterval);
    }

    [Fact]
    public void Without_a_default_branch_copy_the_workspace_chooses_nothing_but_the_level()
    {
        var policy = StrictestPolicy.Combine("production", [
            Copy(ConfigCopyKind.Workspace, "default-level: plans-and-applies\nenvironments: { production: { role-to-assume: 'arn:aws:iam::123456789012:role/admin' } }\nwait: { timeout: 24h }"),
            Absent(ConfigCopyKind.DefaultBranch),
        ], WithoutFile);

        Assert.Equal(MfaLevel.PlansAndApplies, policy.Level);
        Assert.Null(policy.RoleToAssume);
        Assert.Equal(TimeSpan.FromMinutes(10), policy.Wait.Timeout);
    }

    [Fact]
    public void On_a_laptop_the_workspace_copy_is_the_operators_own_and_chooses_everything()
    {
        var policy = StrictestPolicy.Combine("production", [
            Copy(ConfigCopyKind.Workspace, "environments: { production: { level: applies-only, role-to-assume: 'arn:aws:iam::123456789012:role/deploy' } }\nwait: { timeout: 1h }"),
        ], WithoutFile, workspaceIsTrusted: true);

        Assert.Equal("arn:aws:iam::123456789012:role/deploy", policy.RoleToAssume);
        Assert.Equal(TimeSpan.FromHours(1), policy.Wait.Timeout);
    }

    [Theory]
    [InlineData("arn:aws:iam::123456789012:role/deploy", null, "arn:aws:iam::123456789012:role/deploy")]
    [InlineData(null, "arn:aws:iam::123456789012:role/ci", "arn:aws:iam::123456789012:role/ci")]
    [InlineData("arn:aws:iam::123456789012:role/deploy", "arn:aws:iam::123456789012:role/deploy", "arn:aws:iam::123456789012:role/deploy")]
    public void A_role_input_is_taken_only_where_it_agrees_with_the_default_branch(string? configured, string? input, string expected)
    {
        var yaml = configured is null ? "default-level: applies-only" : $"environments: {{ production: {{ role-to-assume: '{configured}' }} }}";
        var policy = StrictestPolicy.Combine("production", [Copy(ConfigCopyKind.DefaultBranch, yaml)], WithoutFile, new WorkflowChoices(input, null));

        Assert.Equal(expected, policy.RoleToAssume);
    }

    [Fact]
    public void A_role_input_naming_another_role_fails_naming_both()
    {
        var error = Assert.Throws<ConfigException>(() => StrictestPolicy.Combine("production", [
            Copy(ConfigCopyKind.DefaultBranch, "environments: { production: { role-to-assume: 'arn:aws:iam::123456789012:role/deploy' } }"),
        ], WithoutFile, new WorkflowChoices("arn:aws:iam::123456789012:role/admin", null)));

        Assert.Contains("names arn:aws:iam::123456789012:role/admin, but DefaultBranch sets role-to-assume arn:aws:iam::123456789012:role/deploy", error.Message);
    }

    [Fact]
    public void A_timeout_input_may_shorten_the_trusted_wait_only()
    {
        var copies = new[] { Copy(ConfigCopyKind.DefaultBranch, "wait: { timeout: 30m }") };

        Assert.Equal(TimeSpan.FromMinutes(5), StrictestPolicy.Combine("p", copies, WithoutFile, new WorkflowChoices(null, TimeSpan.FromMinutes(5))).Wait.Timeout);
        var error = Assert.Throws<ConfigException>(() => StrictestPolicy.Combine("p", copies, WithoutFile, new WorkflowChoices(null, TimeSpan.FromHours(1))));
        Assert.Contains("input 'timeout' (1h) is longer than wait.timeout (30m) in DefaultBranch", error.Message);
    }

    [Fact]
    public void No_copy_at_all_means_never()
    {
        var policy = StrictestPolicy.Combine("p", [Absent(ConfigCopyKind.Workspace)], WithoutFile);

        Assert.Equal(MfaLevel.Never, policy.Level);
        Assert.Equal("default (no config file)", policy.LevelSetBy);
    }

    [Fact]
    public async Task A_default_branch_copy_that_cannot_be_read_fails_closed()
    {
        var workspace = Directory.CreateTempSubdirectory("tfmfa-config-").FullName;
        try
        {
            var error = await Assert.ThrowsAsync<TfMfaException>(() => ConfigLoader.LoadAsync(
                workspace, ".github/tfmfa.yml", ".github/tfmfa.yml", "p", NoInputs, new UnreadableDefaultBranch(), TestContext.Current.CancellationToken));
            Assert.Contains("GitHub answered 500", error.Message);
        }
        finally { Directory.Delete(workspace, true); }
    }

    [Fact]
    public async Task The_loader_reads_both_default_branch_paths_when_config_points_elsewhere()
    {
        var workspace = Directory.CreateTempSubdirectory("tfmfa-config-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(workspace, "ops"));
            File.WriteAllText(Path.Combine(workspace, "ops", "mfa.yml"), "default-level: never\n");
            var branch = new FakeDefaultBranch(new() { [".github/tfmfa.yml"] = "default-level: applies-only\n", ["ops/mfa.yml"] = "default-level: plans-and-applies\n" });

            var policy = await ConfigLoader.LoadAsync(workspace, "./ops/mfa.yml", ".github/tfmfa.yml", "p", NoInputs, branch, TestContext.Current.CancellationToken);

            Assert.Equal(MfaLevel.PlansAndApplies, policy.Level);
            Assert.Equal("ops/mfa.yml@main", policy.LevelSetBy);
            Assert.Equal([".github/tfmfa.yml", "ops/mfa.yml"], branch.Read);
        }
        finally { Directory.Delete(workspace, true); }
    }

    private sealed class UnreadableDefaultBranch : IDefaultBranchConfig
    {
        public string EveryoneWhoCanRead => "every user";
        public bool IsAvailable => true;
        public Task<string> BranchNameAsync(CancellationToken cancellationToken) => Task.FromResult("main");
        public Task<string?> ReadAsync(string path, CancellationToken cancellationToken) =>
            throw new TfMfaException($"cannot read {path} on main: GitHub answered 500");
    }

    private sealed class FakeDefaultBranch(Dictionary<string, string> files) : IDefaultBranchConfig
    {
        public string EveryoneWhoCanRead => "every user";
        public List<string> Read { get; } = [];
        public bool IsAvailable => true;
        public Task<string> BranchNameAsync(CancellationToken cancellationToken) => Task.FromResult("main");
        public Task<string?> ReadAsync(string path, CancellationToken cancellationToken)
        {
            Read.Add(path);
            return Task.FromResult(files.GetValueOrDefault(path));
        }
    }
}
