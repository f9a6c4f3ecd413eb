using System.Text.RegularExpressions;
using TfMfa.Hosting;

namespace TfMfa.Aws;

/// <summary>
/// The AWS variables the job gives the action, with the legacy Terraform Enterprise names:
/// <c>AWS_ACCESS_KEY_ID</c>, <c>AWS_SECRET_ACCESS_KEY</c>, <c>AWS_MFA_SERIAL_NUMBER</c>, and the
/// SDKs' <c>AWS_ENDPOINT_URL_STS</c>.
/// </summary>
/// <param name="HowToPassKeys">How this front end's user passes the keys, for the error when they are missing.</param>
public sealed partial record AwsSettings(AwsCredentials? LongTerm, string? MfaSerialNumber, string? StsEndpointUrl, string HowToPassKeys)
{
    /// <summary>Variables whose values are AWS secrets wherever they appear: masked before anything else is printed.</summary>
    public static readonly IReadOnlyList<string> SecretVariables = ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"];

    [GeneratedRegex(@"^[\w+=/:,.@-]{9,256}$")]
    private static partial Regex SerialNumberPattern();

    public static AwsSettings Read(IEnvironment environment, string howToPassKeys)
    {
        var accessKeyId = environment.Get("AWS_ACCESS_KEY_ID")?.Trim();
        var secret = environment.Get("AWS_SECRET_ACCESS_KEY")?.Trim();
        var longTerm = accessKeyId is not null && secret is not null
            ? new AwsCredentials(accessKeyId, secret, environment.Get("AWS_SESSION_TOKEN")?.Trim())
            : null;

        var endpoint = environment.Get("AWS_ENDPOINT_URL_STS")?.Trim();
        if (endpoint is not null && (!Uri.TryCreate(endpoint, UriKind.Absolute, out var uri) || uri.Scheme is not ("https" or "http")))
            throw new TfMfaException($"AWS_ENDPOINT_URL_STS must be an http(s) URL like https://sts.eu-west-1.amazonaws.com (got '{endpoint}')");

        return new AwsSettings(longTerm, environment.Get("AWS_MFA_SERIAL_NUMBER")?.Trim(), endpoint, howToPassKeys);
    }

    /// <summary>The keys every STS call is signed with; a clear error when the job did not pass them.</summary>
    public AwsCredentials RequireLongTerm(string why) => LongTerm ?? throw new TfMfaException(
        $"AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY must both be set {why}: {HowToPassKeys}");

    public string RequireSerialNumber()
    {
        if (MfaSerialNumber is null)
            throw new TfMfaException("AWS_MFA_SERIAL_NUMBER must be set when MFA is required: the ARN of the IAM user's MFA device, like arn:aws:iam::123456789012:mfa/ci (a repository variable or secret)");
        if (!SerialNumberPattern().IsMatch(MfaSerialNumber))
            throw new TfMfaException($"AWS_MFA_SERIAL_NUMBER must be an MFA device ARN like arn:aws:iam::123456789012:mfa/ci or a hardware serial (9 to 256 characters); got '{MfaSerialNumber}'");
        return MfaSerialNumber;
    }
}
