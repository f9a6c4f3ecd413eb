using System.Net;
using Amazon.Runtime;
using Amazon.SecurityToken;
using TfMfa.Aws;
using TfMfa.Codes;

namespace TfMfa.Tests.Aws;

public sealed class AwsErrorsTests
{
    private static readonly StsErrorTranslator.CallContext Call =
        new("GetSessionToken", "arn:aws:iam::123456789012:mfa/ci", null, "AKIAEXAMPLEKEY12345", "https://sts.us-east-1.amazonaws.com", "654321");

    private static StsException Translate(string code, string message, HttpStatusCode status = HttpStatusCode.Forbidden, ErrorType type = ErrorType.Sender) =>
        StsErrorTranslator.Translate(new AmazonSecurityTokenServiceException(message, type, code, "req", status), Call);

    [Theory]
    [InlineData("AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code.", StsFailureKind.WrongCode, "it is wrong, expired, or was already used")]
    [InlineData("AccessDenied", "MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial number is valid and associated with this user.", StsFailureKind.DeviceNotFound, "is not assigned to the IAM user whose key is in AWS_ACCESS_KEY_ID (****2345)")]
    [InlineData("AccessDenied", "Cannot call GetSessionToken with session credentials", StsFailureKind.SessionCredentialsNotAllowed, "Remove AWS_SESSION_TOKEN")]
    [InlineData("AccessDenied", "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: sts:AssumeRole", StsFailureKind.AccessDenied, "AWS denied GetSessionToken")]
    [InlineData("ValidationError", "1 validation error detected: Value '654321x' at 'tokenCode' failed", StsFailureKind.BadRequest, "malformed")]
    [InlineData("InvalidClientTokenId", "The security token included in the request is invalid.", StsFailureKind.InvalidKeys, "does not recognise the access key")]
    [InlineData("SignatureDoesNotMatch", "The request signature we calculated does not match", StsFailureKind.InvalidKeys, "AWS_SECRET_ACCESS_KEY does not belong to AWS_ACCESS_KEY_ID")]
    [InlineData("ExpiredToken", "The security token included in the request is expired", StsFailureKind.InvalidKeys, "has expired")]
    [InlineData("Throttling", "Rate exceeded", StsFailureKind.Throttled, "throttling")]
    [InlineData("RegionDisabledException", "STS is not activated in this region", StsFailureKind.AccessDenied, "not activated")]
    public void Each_aws_error_becomes_a_sentence_and_keeps_awss_code(string code, string message, StsFailureKind kind, string expected)
    {
        var error = Translate(code, message);

        Assert.Equal(kind, error.Kind);
        Assert.Equal(code, error.AwsErrorCode);
        Assert.Contains(expected, error.Message);
        Assert.EndsWith($"(AWS error: {code}, HTTP 403)", error.Message);
    }

    [Fact]
    public void A_code_quoted_back_by_aws_is_scrubbed_from_the_message()
    {
        var error = Translate("ValidationError", "Value '654321' at 'tokenCode' failed to satisfy constraint", HttpStatusCode.BadRequest);

        Assert.DoesNotContain("654321", error.Message);
        Assert.Contains("Value '******' at 'tokenCode'", error.Message);
    }

    [Fact]
    public void A_server_error_asks_for_a_new_code_because_the_old_one_may_be_spent()
    {
        var error = Translate("InternalFailure", "An internal error has occurred", HttpStatusCode.InternalServerError, ErrorType.Receiver);

        Assert.Equal(StsFailureKind.ServiceError, error.Kind);
        Assert.True(error.AnotherCodeMayHelp);
        Assert.Contains("not sent again: supply a new code", error.Message);
    }

    [Fact]
    public void No_answer_at_all_is_a_network_error_that_names_the_endpoint()
    {
        var error = StsErrorTranslator.Translate(new HttpRequestException("Connection refused"), Call);

        Assert.Equal(StsFailureKind.Network, error.Kind);
        Assert.Contains("https://sts.us-east-1.amazonaws.com (Connection refused.)", error.Message);
        Assert.True(error.AnotherCodeMayHelp);
    }

    [Fact]
    public void Credentials_print_only_the_last_four_characters_of_the_key()
    {
        var credentials = new AwsCredentials("ASIAEXAMPLEKEY9876", "super-secret-key", "super-session-token", DateTimeOffset.Parse("2026-11-28T12:00:00Z"));

        var text = credentials.ToString();

        Assert.Equal("session key ****9876 expiring 2026-11-28 12:00:00Z", text);
        Assert.Equal(["super-secret-key", "super-session-token"], credentials.Secrets());
    }

    [Theory]
    [InlineData("123456", true)]
    [InlineData(" 012345 ", true)]
    [InlineData("12345", false)]
    [InlineData("1234567", false)]
    [InlineData("12345a", false)]
    [InlineData("１２３４５６", false)]
    public void Codes_are_six_ascii_digits_and_never_print_themselves(string text, bool valid)
    {
        Assert.Equal(valid, MfaCode.TryParse(text, out var code));
        if (valid) Assert.Equal("******", code!.ToString());
    }

    [Theory]
    [InlineData("alice", "tfmfa-alice", "alice")]
    [InlineData("dependabot[bot]", "tfmfa-dependabot-bot-", "dependabot-bot-")]
    [InlineData("x", "tfmfa-x", "x-")]
    public void Session_names_fit_awss_pattern(string login, string sessionName, string sourceIdentity)
    {
        Assert.Equal(sessionName, SessionNames.SessionName(login));
        Assert.Equal(sourceIdentity, SessionNames.SourceIdentity(login));
    }
}
