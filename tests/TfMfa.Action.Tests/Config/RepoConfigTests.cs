using TfMfa.Config;

namespace TfMfa.Tests.Config;

public sealed class RepoConfigTests
{
    private const string File = ".github/tfmfa.yml";
    private static readonly IReadOnlyDictionary<string, LocatedValue> NoInputs = new Dictionary<string, LocatedValue>();

    private static MfaPolicy Load(string yaml, IReadOnlyDictionary<string, LocatedValue>? inputs = null) =>
        PolicyBuilder.Build(RepoConfigReader.Read(yaml, File), inputs ?? NoInputs);

    private static string ProblemWith(string yaml, IReadOnlyDictionary<string, LocatedValue>? inputs = null) =>
        Assert.Single(Assert.Throws<ConfigException>(() => Load(yaml, inputs)).Problems);

    [Fact]
    public void The_contract_example_loads_with_every_field()
    {
        var policy = Load("""
            default-level: never
            environments:
              production:
                level: plans-and-applies
                role-to-assume: arn:aws:iam::123456789012:role/deploy
              staging:
                level: applies-only
            approvers:
              min-permission: write
              users: [alice, bob]
            wait:
              timeout: 10m
              poll-interval: 2s
              max-attempts: 3
            allow-fork-prs: false
            """);

        Assert.Equal(MfaLevel.Never, policy.DefaultLevel);
        Assert.Equal(new EnvironmentPolicy(MfaLevel.PlansAndApplies, "arn:aws:iam::123456789012:role/deploy"), policy.For("production"));
        Assert.Equal(new EnvironmentPolicy(MfaLevel.AppliesOnly, null), policy.For("staging"));
        Assert.Equal(RepoPermission.Write, policy.Approvers.MinPermission);
        Assert.Equal(["alice", "bob"], policy.Approvers.Users);
        Assert.Equal(new WaitPolicy(TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(2), 3), policy.Wait);
        Assert.False(policy.AllowForkPrs);
    }

    [Fact]
    public void An_empty_file_means_the_defaults_and_the_gate_is_off()
    {
        var policy = Load("");

        Assert.Equal(MfaLevel.Never, policy.For("anything").Level);
        Assert.Equal(new WaitPolicy(TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(2), 3), policy.Wait);
        Assert.Equal(RepoPermission.Write, policy.Approvers.MinPermission);
        Assert.Empty(policy.Approvers.Users);
    }

    [Theory]
    [InlineData("applies only", MfaLevel.AppliesOnly)]
    [InlineData("plans and applies", MfaLevel.PlansAndApplies)]
    [InlineData("Plans And Applies", MfaLevel.PlansAndApplies)]
    [InlineData("applies-only", MfaLevel.AppliesOnly)]
    [InlineData("never", MfaLevel.Never)]
    public void Legacy_terraform_enterprise_spellings_are_accepted(string spelling, MfaLevel expected) =>
        Assert.Equal(expected, Load($"default-level: {spelling}").DefaultLevel);

    [Fact]
    public void An_environment_without_a_level_gets_the_default_level_and_shorthand_sets_a_level()
    {
        var policy = Load("default-level: applies-only\nenvironments:\n  prod:\n    role-to-assume: arn:aws:iam::123456789012:role/x\n  dev: never\n");

        Assert.Equal(MfaLevel.AppliesOnly, policy.For("prod").Level);
        Assert.Equal(MfaLevel.Never, policy.For("dev").Level);
        Assert.Equal(MfaLevel.AppliesOnly, policy.For("unlisted").Level);
    }

    [Theory]
    [InlineData("default-level: sometimes", "1:16: default-level must be one of never, applies-only, plans-and-applies (got 'sometimes')")]
    [InlineData("default-level:", "1:15: default-level must be one of never, applies-only, plans-and-applies (got '')")]
    [InlineData("default-level: [never]", "1:16: default-level must be a single value, not a list")]
    [InlineData("enviroments: {}", "1:1: unknown key 'enviroments' in the config; expected one of default-level, environments, approvers, wait, allow-fork-prs, devices, allow-shared-device")]
    [InlineData("environments: production", "1:15: environments must be a mapping of environment names to settings, like 'production: { level: plans-and-applies }'")]
    [InlineData("environments:\n  prod:\n    level: always", "3:12: level must be one of never, applies-only, plans-and-applies (got 'always')")]
    [InlineData("environments:\n  prod:\n    lvl: never", "3:5: unknown key 'lvl' in environment 'prod'; expected one of level, role-to-assume, plan-role-to-assume")]
    [InlineData("environments:\n  prod: [never]", "2:9: environment 'prod' must be a mapping with keys level, role-to-assume, plan-role-to-assume")]
    [InlineData("environments:\n  prod:\n    role-to-assume: deploy", "3:21: role-to-assume must be an IAM role ARN like arn:aws:iam::123456789012:role/deploy (got 'deploy')")]
    [InlineData("environments:\n  prod:\n    role-to-assume: arn:aws:iam::12345:role/deploy", "3:21: role-to-assume must be an IAM role ARN like arn:aws:iam::123456789012:role/deploy (got 'arn:aws:iam::12345:role/deploy')")]
    [InlineData("environments:\n  'a:b': never", "2:10: environment name 'a:b' must not contain ':'")]
    [InlineData("approvers: write", "1:12: approvers must be a mapping with keys min-permission, users, teams, allow-author")]
    [InlineData("approvers:\n  min-permission: owner", "2:19: min-permission must be one of read, triage, write, maintain, admin (got 'owner')")]
    [InlineData("approvers:\n  min-permission: 2", "2:19: min-permission must be one of read, triage, write, maintain, admin (got '2')")]
    [InlineData("approvers:\n  users: alice", "2:10: users must be a list of GitHub logins, like [alice, bob]")]
    [InlineData("approvers:\n  users: [alice, 'not a login']", "2:18: 'not a login' is not a GitHub login (letters, digits and single hyphens, at most 39 characters; Enterprise Managed Users add _shortcode, like alice_acme) nor an Azure DevOps uniqueName (alice@contoso.com)")]
    [InlineData("approvers:\n  users: [[alice]]", "2:11: each entry of users must be a GitHub login, like 'alice'")]
    [InlineData("approvers:\n  admins: [alice]", "2:3: unknown key 'admins' in approvers; expected one of min-permission, users, teams, allow-author")]
    [InlineData("wait: 10m", "1:7: wait must be a mapping with keys timeout, poll-interval, max-attempts, mode, expires")]
    [InlineData("wait:\n  timeout: soon", "2:12: timeout must be a duration like 90s, 10m, 1h30m or plain seconds (got 'soon')")]
    [InlineData("wait:\n  timeout: 0", "2:12: timeout must be between 1s and 24h (got '0')")]
    [InlineData("wait:\n  timeout: 25h", "2:12: timeout must be between 1s and 24h (got '25h')")]
    [InlineData("wait:\n  poll-interval: 500ms", "2:18: poll-interval must be a duration like 90s, 10m, 1h30m or plain seconds (got '500ms')")]
    [InlineData("wait:\n  poll-interval: 0s", "2:18: poll-interval must be between 1s and 5m (got '0s')")]
    [InlineData("wait:\n  poll-interval: 10m", "2:18: poll-interval must be between 1s and 5m (got '10m')")]
    [InlineData("wait:\n  max-attempts: 0", "2:17: max-attempts must be a whole number from 1 to 10 (got '0')")]
    [InlineData("wait:\n  max-attempts: 11", "2:17: max-attempts must be a whole number from 1 to 10 (got '11')")]
    [InlineData("wait:\n  max-attempts: three", "2:17: max-attempts must be a whole number from 1 to 10 (got 'three')")]
    [InlineData("wait:\n  max-attempts: -1", "2:17: max-attempts must be a whole number from 1 to 10 (got '-1')")]
    [InlineData("wait:\n  timeout: {a: 1}", "2:12: timeout must be a single value, not a mapping")]
    [InlineData("allow-fork-prs: yes", "1:17: allow-fork-prs must be true or false (got 'yes')")]
    [InlineData("- never", "1:1: the config must be a mapping with keys default-level, environments, approvers, wait, allow-fork-prs, devices, allow-shared-device")]
    [InlineData("default-level: never\n---\ndefault-level: never", "3:1: only one YAML document is allowed in the config")]
    public void Every_bad_value_is_reported_with_file_line_and_column(string yaml, string expected) =>
        Assert.Equal($"{File}:{expected}", ProblemWith(yaml));

    [Fact]
    public void Invalid_yaml_names_the_position_and_says_it_is_not_yaml()
    {
        var problem = ProblemWith("environments:\n  prod:\n    level: [never\n");

        Assert.StartsWith($"{File}:", problem);
        Assert.EndsWith("the file is not valid YAML", problem);
    }

    [Fact]
    public void A_stream_yamldotnet_rejects_without_a_position_is_still_a_config_error()
    {
        // Found by the property tests: YamlDotNet throws ArgumentException here, not YamlException.
        var problem = ProblemWith(" - : colon\napprovers: 10m");

        Assert.StartsWith($"{File}: the file is not valid YAML", problem);
    }

    [Fact]
    public void Duplicate_keys_are_refused_rather_than_silently_taking_one()
    {
        var problem = ProblemWith("default-level: never\ndefault-level: plans-and-applies\n");

        Assert.StartsWith($"{File}:2:1:", problem);
    }

    [Fact]
    public void All_problems_are_reported_at_once()
    {
        var error = Assert.Throws<ConfigException>(() => Load("default-level: x\nwait:\n  timeout: y\n  max-attempts: z\n"));

        Assert.Equal(3, error.Problems.Count);
        Assert.StartsWith("3 problems in the configuration:", error.Message);
    }

    [Fact]
    public void The_timeout_input_overrides_the_file_and_its_error_names_the_input()
    {
        var inputs = new Dictionary<string, LocatedValue> { ["wait:timeout"] = new("90s", "input 'timeout'") };
        Assert.Equal(TimeSpan.FromSeconds(90), Load("wait:\n  timeout: 10m\n", inputs).Wait.Timeout);

        var bad = new Dictionary<string, LocatedValue> { ["wait:timeout"] = new("forever", "input 'timeout'") };
        Assert.Equal("input 'timeout': timeout must be a duration like 90s, 10m, 1h30m or plain seconds (got 'forever')", ProblemWith("wait:\n  timeout: 10m\n", bad));
    }

    [Fact]
    public void The_role_input_applies_to_the_chosen_environment_and_keeps_its_level()
    {
        var inputs = new Dictionary<string, LocatedValue> { ["environments:prod:role-to-assume"] = new("arn:aws:iam::123456789012:role/other", "input 'role-to-assume'") };

        var policy = Load("environments:\n  prod:\n    level: plans-and-applies\n    role-to-assume: arn:aws:iam::123456789012:role/deploy\n", inputs);

        Assert.Equal(new EnvironmentPolicy(MfaLevel.PlansAndApplies, "arn:aws:iam::123456789012:role/other"), policy.For("prod"));
    }

    [Fact]
    public void A_bad_level_counts_as_the_strictest_so_no_later_rule_can_loosen_on_it()
    {
        var settings = RepoConfigReader.Read("default-level: sometimes", File);
        Assert.Throws<ConfigException>(() => PolicyBuilder.Build(settings, NoInputs));
    }

    [Theory]
    [InlineData("alice_acme")]
    [InlineData("mona-lisa_octo")]
    [InlineData("a_b_c_enterprise")]
    [InlineData("dependabot[bot]")]
    public void Enterprise_managed_user_logins_are_accepted(string login)
    {
        var policy = PolicyBuilder.Build(RepoConfigReader.Read($"approvers:\n  users: ['{login}']\n", "tfmfa.yml"), new Dictionary<string, LocatedValue>());

        Assert.Equal([login], policy.Approvers.Users);
    }

    [Theory]
    [InlineData("-alice")]
    [InlineData("_alice")]
    [InlineData("ali--ce")]
    [InlineData("alice-")]
    public void Logins_github_refuses_are_refused(string login) =>
        Assert.Throws<ConfigException>(() => PolicyBuilder.Build(RepoConfigReader.Read($"approvers:\n  users: ['{login}']\n", "tfmfa.yml"), new Dictionary<string, LocatedValue>()));
}

public sealed class ApprovalBindingConfigTests
{
    private static ConfigException Fails(string yaml) =>
        Assert.Throws<ConfigException>(() => PolicyBuilder.Build(RepoConfigReader.Read(yaml, ".github/tfmfa.yml"), new Dictionary<string, LocatedValue>()));

    [Theory]
    [InlineData("devices:\n  alice: arn:aws:iam::123456789012:user/alice", ".github/tfmfa.yml:2:10: the device of alice must be an MFA device ARN like arn:aws:iam::123456789012:mfa/alice (got 'arn:aws:iam::123456789012:user/alice')")]
    [InlineData("devices: [alice]", ".github/tfmfa.yml:1:10: devices must be a mapping of people to MFA device ARNs, like 'alice: arn:aws:iam::123456789012:mfa/alice'")]
    [InlineData("approvers:\n  teams: [platform]", ".github/tfmfa.yml:2:11: 'platform' is not a team: write a GitHub team as organization/team-slug, like acme/platform, or an Azure DevOps team as Project/Team, like infra/Platform Team")]
    [InlineData("approvers:\n  teams: ['infra/Platform|Team']", ".github/tfmfa.yml:2:11: 'infra/Platform|Team' is not a team: write a GitHub team as organization/team-slug, like acme/platform, or an Azure DevOps team as Project/Team, like infra/Platform Team")]
    [InlineData("approvers:\n  teams: ['infra/a/b']", ".github/tfmfa.yml:2:11: 'infra/a/b' is not a team: write a GitHub team as organization/team-slug, like acme/platform, or an Azure DevOps team as Project/Team, like infra/Platform Team")]
    [InlineData("approvers:\n  allow-author: maybe", ".github/tfmfa.yml:2:17: allow-author must be true or false (got 'maybe')")]
    [InlineData("environments:\n  prod:\n    plan-role-to-assume: reader", ".github/tfmfa.yml:3:26: plan-role-to-assume must be an IAM role ARN like arn:aws:iam::123456789012:role/terraform-plan (got 'reader')")]
    public void A_bad_binding_setting_names_its_place(string yaml, string expected) =>
        Assert.Equal(expected, Assert.Single(Fails(yaml).Problems));

    [Theory]
    [InlineData("acme/platform")]
    [InlineData("infra/Platform Team")]
    [InlineData("Contoso Infra/Ops (EU)")]
    public void Approvers_teams_take_github_and_azure_devops_teams(string team) =>
        Assert.Equal([team], PolicyBuilder.Build(RepoConfigReader.Read($"approvers:\n  teams: ['{team}']\n", ".github/tfmfa.yml"), new Dictionary<string, LocatedValue>()).Approvers.AllowedTeams);

    [Fact]
    public void More_devices_than_IAM_allows_one_user_are_refused()
    {
        var yaml = "devices:\n" + string.Concat(Enumerable.Range(1, 9).Select(i => $"  user{i}: arn:aws:iam::123456789012:mfa/user{i}\n"));

        Assert.Contains("IAM allows at most 8 per user", Assert.Single(Fails(yaml).Problems));
    }

    [Fact]
    public void Devices_and_uniqueNames_load_and_a_person_finds_their_own_case_insensitively()
    {
        var policy = PolicyBuilder.Build(RepoConfigReader.Read(
            "devices:\n  Alice: arn:aws:iam::123456789012:mfa/alice\n  bob@contoso.com: arn:aws:iam::123456789012:mfa/bob\napprovers:\n  users: [bob@contoso.com]\n", "x.yml"),
            new Dictionary<string, LocatedValue>());

        Assert.Equal("arn:aws:iam::123456789012:mfa/alice", policy.Approvers.DeviceOf("alice"));
        Assert.Equal("arn:aws:iam::123456789012:mfa/bob", policy.Approvers.DeviceOf("BOB@contoso.com"));
        Assert.False(policy.Approvers.UsesSharedDevice);
        Assert.Equal(["bob@contoso.com"], policy.Approvers.Users);
    }
}
