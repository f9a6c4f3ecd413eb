using System.Net;
using Amazon.Runtime;

namespace TfMfa.Aws;

/// <summary>Turns what STS answered into a sentence a person can act on, keeping AWS's error code.</summary>
public static class StsErrorTranslator
{
    public sealed record CallContext(string Operation, string SerialNumber, string? RoleArn, string AccessKeyId, string Endpoint, string? Code);

    public static StsException Translate(Exception error, CallContext call)
    {
        if (error is AmazonServiceException service && service.ErrorCode is { Length: > 0 } code)
            return FromService(service, code, Scrub(service.Message, call), call);

        // No answer: a timeout, a refused or dropped connection. The request may have reached STS.
        var cause = Scrub(Innermost(error).Message, call);
        var reached = call.Code is null ? "" : " The code may have reached AWS and been used, so it is not sent again: supply a new code.";
        return new StsException(StsFailureKind.Network, null,
            $"Could not get an answer from AWS STS at {call.Endpoint} ({cause}).{reached} If this persists, check the network path to STS (AWS_ENDPOINT_URL_STS, proxy, VPC endpoint).", error);
    }

    private static StsException FromService(AmazonServiceException e, string code, string awsMessage, CallContext call)
    {
        var target = call.RoleArn is null ? "" : $" for {call.RoleArn}";
        var (kind, text) = code switch
        {
            "AccessDenied" when awsMessage.Contains("invalid MFA one time pass code", StringComparison.OrdinalIgnoreCase) =>
                (StsFailureKind.WrongCode,
                 "AWS refused the MFA code: it is wrong, expired, or was already used (AWS accepts each code once). Wait for your authenticator to show a new code and send that one."),
            "AccessDenied" when awsMessage.Contains("unable to validate MFA code", StringComparison.OrdinalIgnoreCase)
                             || awsMessage.Contains("serial number", StringComparison.OrdinalIgnoreCase) =>
                (StsFailureKind.DeviceNotFound,
                 $"AWS could not check the code against MFA device {call.SerialNumber}: the device does not exist or is not assigned to the IAM user whose key is in AWS_ACCESS_KEY_ID ({AwsCredentials.Redacted(call.AccessKeyId)}). Set AWS_MFA_SERIAL_NUMBER to the ARN shown under the user's Security credentials in IAM."),
            "AccessDenied" when awsMessage.Contains("with session credentials", StringComparison.OrdinalIgnoreCase) =>
                (StsFailureKind.SessionCredentialsNotAllowed,
                 "AWS_SESSION_TOKEN is set, but GetSessionToken needs an IAM user's long-term keys. Remove AWS_SESSION_TOKEN from the job, or set role-to-assume to use AssumeRole instead."),
            "AccessDenied" =>
                (StsFailureKind.AccessDenied,
                 $"AWS denied {call.Operation}{target}: {awsMessage} Check that the role's trust policy allows this IAM user and that its aws:MultiFactorAuthPresent condition matches how the gate is configured."),
            "ValidationError" or "InvalidParameterValue" or "MalformedPolicyDocument" or "MissingParameter" =>
                (StsFailureKind.BadRequest, $"AWS rejected the {call.Operation} request as malformed: {awsMessage}"),
            "InvalidClientTokenId" =>
                (StsFailureKind.InvalidKeys, $"AWS does not recognise the access key in AWS_ACCESS_KEY_ID ({AwsCredentials.Redacted(call.AccessKeyId)}) or its session token: check the repository secret."),
            "SignatureDoesNotMatch" =>
                (StsFailureKind.InvalidKeys, $"AWS_SECRET_ACCESS_KEY does not belong to AWS_ACCESS_KEY_ID ({AwsCredentials.Redacted(call.AccessKeyId)}), or the machine's clock is off by more than 5 minutes: check the repository secrets."),
            "ExpiredToken" =>
                (StsFailureKind.InvalidKeys, "The session token in AWS_SESSION_TOKEN has expired: refresh the credentials the job starts with."),
            "RegionDisabledException" =>
                (StsFailureKind.AccessDenied, $"STS is not activated in this region for the account: use an enabled aws-region or activate it in IAM account settings. ({awsMessage})"),
            "Throttling" or "ThrottlingException" or "RequestLimitExceeded" or "TooManyRequestsException" =>
                (StsFailureKind.Throttled,
                 $"AWS STS is throttling requests.{(call.Code is null ? "" : " The code may already have been used, so it is not sent again: supply a new code.")}"),
            _ when (int)e.StatusCode >= 500 || e.ErrorType == ErrorType.Receiver =>
                (StsFailureKind.ServiceError,
                 $"AWS STS failed (HTTP {(int)e.StatusCode}).{(call.Code is null ? "" : " The code may already have been used, so it is not sent again: supply a new code.")}"),
            _ => (StsFailureKind.Other, $"AWS STS refused {call.Operation}{target}: {awsMessage}"),
        };
        return new StsException(kind, code, $"{text} (AWS error: {code}{(e.StatusCode == 0 ? "" : $", HTTP {(int)e.StatusCode}")})", e);
    }

    /// <summary>AWS validation messages quote the offending value; a code must not travel on in a log or comment.</summary>
    private static string Scrub(string message, CallContext call)
    {
        var scrubbed = message.Trim();
        if (call.Code is { Length: > 0 } code) scrubbed = scrubbed.Replace(code, "******", StringComparison.Ordinal);
        if (!scrubbed.EndsWith('.')) scrubbed += ".";
        return scrubbed;
    }

    private static Exception Innermost(Exception e)
    {
        while (e.InnerException is not null && e is not WebException) e = e.InnerException;
        return e;
    }
}
