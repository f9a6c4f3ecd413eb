using TfMfa.Config;

namespace TfMfa.Tests.Config;

public sealed class LevelAndDurationTests
{
    [Theory]
    [InlineData(MfaLevel.Never, TerraformCommand.Plan, false)]
    [InlineData(MfaLevel.Never, TerraformCommand.Apply, false)]
    [InlineData(MfaLevel.AppliesOnly, TerraformCommand.Plan, false)]
    [InlineData(MfaLevel.AppliesOnly, TerraformCommand.Apply, true)]
    [InlineData(MfaLevel.PlansAndApplies, TerraformCommand.Plan, true)]
    [InlineData(MfaLevel.PlansAndApplies, TerraformCommand.Apply, true)]
    public void The_level_decides_which_commands_need_a_code(MfaLevel level, TerraformCommand command, bool required) =>
        Assert.Equal(required, level.RequiresMfa(command));

    [Theory]
    [InlineData("90s", 90)]
    [InlineData("10m", 600)]
    [InlineData("1h", 3600)]
    [InlineData("1h30m", 5400)]
    [InlineData("1h0m5s", 3605)]
    [InlineData("600", 600)]
    [InlineData(" 45S ", 45)]
    [InlineData("0", 0)]
    [InlineData("7d", 604800)]
    [InlineData("1d12h", 129600)]
    public void Durations_parse_as_people_write_them(string text, int seconds)
    {
        Assert.True(Duration.TryParse(text, out var duration));
        Assert.Equal(TimeSpan.FromSeconds(seconds), duration);
    }

    [Theory]
    [InlineData("")]
    [InlineData("m")]
    [InlineData("10 m")]
    [InlineData("-5s")]
    [InlineData("1.5h")]
    [InlineData("10m1h")]
    [InlineData("99999999999999999999")]
    [InlineData("99999999999h")]
    [InlineData("433126706H")] // past TimeSpan's range: found by the property tests
    public void Anything_else_is_not_a_duration(string text) => Assert.False(Duration.TryParse(text, out _));

    [Theory]
    [InlineData(90, "1m30s")]
    [InlineData(3600, "1h")]
    [InlineData(36000, "10h")]
    [InlineData(45, "45s")]
    public void Durations_format_back_for_people(int seconds, string expected) =>
        Assert.Equal(expected, Duration.Format(TimeSpan.FromSeconds(seconds)));
}
