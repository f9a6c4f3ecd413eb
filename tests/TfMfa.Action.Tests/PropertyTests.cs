using FsCheck;
using FsCheck.Fluent;
using TfMfa.Codes;
using TfMfa.Config;
using TfMfa.Inputs;

namespace TfMfa.Tests;

/// <summary>Whatever a person types, the parsers answer with a result or a clear error, never an unhandled exception.</summary>
public sealed class PropertyTests
{
    private static readonly FsCheck.Config Many = FsCheck.Config.QuickThrowOnFailure.WithMaxTest(3000);

    private static readonly string[] Keys =
    [
        "default-level", "environments", "approvers", "wait", "allow-fork-prs", "level", "role-to-assume", "min-permission",
        "users", "timeout", "poll-interval", "max-attempts", "production", "staging", "a:b", "'quoted key'", "? complex", "<<",
    ];

    private static readonly string[] Values =
    [
        "", "never", "applies only", "plans-and-applies", "write", "admin", "[alice, bob]", "[[x]]", "{a: 1}", "~", "null", "10m", "0",
        "-1", "99999999999999999999", "'quoted'", "\"unterminated", "&anchor x", "*alias", "|", ">", "!!binary AAAA", "@at", "%TAG",
        "\t", "true", "yes", "arn:aws:iam::123456789012:role/deploy", "- item", ": colon",
    ];

    private static Gen<string> YamlLike() =>
        from lines in Gen.ListOf(
            from indent in Gen.Elements(0, 2, 4, 6, 1)
            from key in Gen.Elements(Keys)
            from value in Gen.Elements(Values)
            from shape in Gen.Elements(0, 1, 2, 3)
            select new string(' ', indent) + shape switch
            {
                0 => $"{key}: {value}",
                1 => $"{key}:",
                2 => $"- {value}",
                _ => value,
            })
        select string.Join('\n', lines);

    [Fact]
    public void The_config_loader_returns_a_policy_or_a_config_error_that_names_the_file()
    {
        var inputs = new Dictionary<string, LocatedValue>();
        Prop.ForAll(Arb.From(Gen.OneOf(YamlLike(), ArbMap.Default.GeneratorFor<string>())), text =>
        {
            try
            {
                PolicyBuilder.Build(RepoConfigReader.Read(text ?? "", "f.yml"), inputs);
            }
            catch (ConfigException e)
            {
                Assert.All(e.Problems, p => Assert.StartsWith("f.yml:", p));
            }
        }).Check(Many);
    }

    [Fact]
    public void The_comment_parser_takes_six_digits_or_nothing()
    {
        var bodies = Gen.OneOf(
            ArbMap.Default.GeneratorFor<string>(),
            from prefix in Gen.Elements("", " ", "\n", "\r\n", "> ", "`", "```\n")
            from command in Gen.Elements("/mfa", "/MFA", "/mfa ", "/mfaa", "/mfa\t")
            from digits in Gen.Choose(0, 99_999_999)
            from width in Gen.Choose(0, 9)
            from suffix in Gen.Elements("", "`", " please", "\nthanks", " 1")
            select prefix + command + " " + digits.ToString().PadLeft(width, '0') + suffix);

        Prop.ForAll(Arb.From(bodies), body =>
        {
            var command = MfaCommand.Parse(body);
            if (command.Kind == MfaCommandKind.Code)
            {
                Assert.Equal(6, command.Code!.Digits.Length);
                Assert.All(command.Code.Digits, c => Assert.True(char.IsAsciiDigit(c)));
            }
            if (command.Kind == MfaCommandKind.Malformed) Assert.False(string.IsNullOrWhiteSpace(command.Reply));
        }).Check(Many);
    }

    [Fact]
    public void The_duration_parser_never_throws_and_never_goes_negative()
    {
        var texts = Gen.OneOf(
            ArbMap.Default.GeneratorFor<string>(),
            from parts in Gen.ListOf(from n in Gen.Choose(0, int.MaxValue) from unit in Gen.Elements("h", "m", "s", "", "d", "ms", "H") select $"{n}{unit}")
            select string.Concat(parts));

        Prop.ForAll(Arb.From(texts), text =>
        {
            if (Duration.TryParse(text, out var duration)) Assert.True(duration >= TimeSpan.Zero);
        }).Check(Many);
    }

    [Fact]
    public void Shell_words_split_or_say_which_quote_is_open()
    {
        Prop.ForAll(Arb.From(ArbMap.Default.GeneratorFor<string>()), text =>
        {
            var words = ShellWords.Split(text ?? "", out var error);
            Assert.True(words is not null ^ error is not null);
        }).Check(Many);
    }
}
