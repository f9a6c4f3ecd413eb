using System.Text;
using TfMfa.Terraform.Releases;

namespace TfMfa.Tests.Terraform;

public sealed class ReleasesTests
{
    private static ReleaseVersion V(string text) => ReleaseVersion.TryParse(text, out var v) ? v : throw new ArgumentException(text);

    private static readonly ReleaseVersion[] Released = [.. new[] { "1.5.7", "1.9.0", "1.9.5", "1.9.8", "1.10.0-beta1", "1.10.0", "1.10.5", "1.11.4", "2.0.0-alpha1" }.Select(V)];

    [Theory]
    [InlineData("1.9.8", "1.9.8")]
    [InlineData("= 1.9.5", "1.9.5")]
    [InlineData("~> 1.9", "1.11.4")]
    [InlineData("~> 1.9.0", "1.9.8")]
    [InlineData(">= 1.5, < 1.10", "1.9.8")]
    [InlineData("> 1.9.8, != 1.11.4", "1.10.5")]
    [InlineData("<= 1.9.5", "1.9.5")]
    [InlineData("1.10.0-beta1", "1.10.0-beta1")]
    [InlineData("v1.11.4", "1.11.4")]
    public void A_constraint_picks_the_newest_release_that_meets_it_as_terraform_does(string constraint, string expected)
    {
        Assert.True(VersionConstraint.TryParse(constraint, out var parsed, out var error), error);

        Assert.Equal(V(expected), parsed.Newest(Released));
    }

    [Fact]
    public void Prereleases_count_only_when_named_exactly() =>
        Assert.DoesNotContain(Released.Where(v => VersionConstraint.TryParse(">= 1.0", out var c, out _) && c.IsMetBy(v)), v => v.IsPrerelease);

    [Theory]
    [InlineData("~> 3.0")]
    [InlineData("> 1.11.4")]
    public void A_constraint_no_release_meets_picks_none(string constraint)
    {
        Assert.True(VersionConstraint.TryParse(constraint, out var parsed, out _));
        Assert.Null(parsed.Newest(Released));
    }

    [Theory]
    [InlineData("latest", "'latest' is not a version condition")]
    [InlineData("1.9", "'1.9' names no single version")]
    [InlineData("~> 1", "'~> 1' needs at least two numbers")]
    [InlineData(">= 1.5, banana", "'banana' is not a version condition")]
    public void A_malformed_constraint_says_what_is_wrong(string constraint, string expected)
    {
        Assert.False(VersionConstraint.TryParse(constraint, out _, out var error));
        Assert.Contains(expected, error);
    }

    [Theory]
    [MemberData(nameof(Products))]
    public void The_embedded_release_keys_have_the_pinned_fingerprints(string product)
    {
        var releaseProduct = product == "terraform" ? ReleaseProduct.Terraform : ReleaseProduct.OpenTofu;

        var keys = TrustedKeys.For(releaseProduct);

        Assert.Equal(releaseProduct.KeyFingerprint, keys.Fingerprint.Replace(" ", "", StringComparison.Ordinal));
    }

    public static TheoryData<string> Products => new() { "terraform", "opentofu" };

    [Fact]
    public void A_signature_by_no_trusted_key_is_refused()
    {
        var keys = TrustedKeys.For(ReleaseProduct.Terraform);

        Assert.False(keys.Signed(Encoding.ASCII.GetBytes("abc  terraform_1.9.8_linux_amd64.zip\n"), [0x89, 0x02, 0x33]));
    }

    [Fact]
    public void The_sums_file_gives_the_zips_line_only()
    {
        var sums = Encoding.ASCII.GetBytes(
            $"{new string('a', 64)}  terraform_1.9.8_darwin_arm64.zip\n{new string('b', 64)}  terraform_1.9.8_linux_amd64.zip\n");

        Assert.Equal(new string('b', 64), ToolInstaller.ExpectedSha256(sums, "terraform_1.9.8_linux_amd64.zip"));
        Assert.Null(ToolInstaller.ExpectedSha256(sums, "terraform_1.9.8_linux_arm64.zip"));
    }

    [Theory]
    [InlineData("""{"name":"terraform","versions":{"1.9.8":{},"1.10.0":{}}}""")]
    [InlineData("""{"versions":[{"id":"1.9.8"},{"id":"1.10.0"}]}""")]
    public void Both_index_formats_are_read(string json) =>
        Assert.Equal([V("1.9.8"), V("1.10.0")], ToolInstaller.ParseIndex(Encoding.UTF8.GetBytes(json)));
}
