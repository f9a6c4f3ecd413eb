using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using OtpNet;

namespace TfMfa.StandIns.Aws;

public sealed partial class AwsStandIn
{
    private static readonly XNamespace Sts = AwsError.StsNs;

    [GeneratedRegex(@"^[\w+=,.@-]{2,64}$")]
    private static partial Regex SessionNamePattern();

    private async Task HandleStsAsync(HttpContext context, SigV4Verifier.SignedRequest? signed, byte[] body, string requestId, PendingRecord record)
    {
        var parameters = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in QueryHelpers.ParseQuery(context.Request.QueryString.Value)) parameters[key] = value.ToString();
        if (context.Request.ContentType?.StartsWith("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase) == true)
            foreach (var (key, value) in QueryHelpers.ParseQuery(Encoding.UTF8.GetString(body))) parameters[key] = value.ToString();

        var action = parameters.GetValueOrDefault("Action") ?? "";
        (record.Operation, record.TokenCode, record.SerialNumber) = (action, parameters.GetValueOrDefault("TokenCode"), parameters.GetValueOrDefault("SerialNumber"));

        var caller = Authenticate(context, signed, body, s3: false);
        (record.CallerArn, record.MfaAuthenticated) = (caller.Arn, caller.MfaAuthenticated);

        if (parameters.GetValueOrDefault("Version") != "2011-06-15")
            throw new AwsError(400, "InvalidAction", $"Could not find operation {action} for version {parameters.GetValueOrDefault("Version") ?? "NO_VERSION_SPECIFIED"}");

        StsFault? fault = null;
        if (_stsFaults.TryPeek(out var next) && next.Operation == action) _stsFaults.TryDequeue(out fault);
        if (fault is { DropConnection: false })
            throw new AwsError(fault.Status, fault.Code, fault.Message, senderFault: fault.Status < 500);

        var result = action switch
        {
            "GetCallerIdentity" => GetCallerIdentity(caller),
            "GetSessionToken" => GetSessionToken(caller, parameters),
            "AssumeRole" => AssumeRole(caller, parameters),
            _ => throw new AwsError(400, "InvalidAction", $"Could not find operation {action} for version 2011-06-15"),
        };
        if (fault is { DropConnection: true })
        {
            (record.Status, record.ErrorCode) = (200, "ConnectionDropped");
            record.CommitOnce();
            context.Abort();
            return;
        }
        var response = new XElement(Sts + $"{action}Response",
            new XElement(Sts + $"{action}Result", result),
            new XElement(Sts + "ResponseMetadata", new XElement(Sts + "RequestId", requestId)));
        await Xml.WriteAsync(context, 200, response);
    }

    private static IEnumerable<XElement> GetCallerIdentity(Caller caller) =>
    [
        new(Sts + "Arn", caller.Arn),
        new(Sts + "UserId", caller.UserId),
        new(Sts + "Account", caller.Account),
    ];

    private IEnumerable<XElement> GetSessionToken(Caller caller, Dictionary<string, string> parameters)
    {
        if (caller.Session is not null)
            throw new AwsError(403, "AccessDenied", "Cannot call GetSessionToken with session credentials");

        var duration = Duration(parameters, min: 900, max: 129600, fallback: 43200, tooLong: null);
        var mfa = ValidateMfaParameters(parameters);
        if (mfa is not null) CheckCode(caller.User, mfa.Value.Serial, mfa.Value.Code);

        var session = Issue(caller.User, caller.User.Arn, caller.User.UserId, null, mfa is not null, null, duration, "GetSessionToken");
        return [CredentialsElement(session)];
    }

    private IEnumerable<XElement> AssumeRole(Caller caller, Dictionary<string, string> parameters)
    {
        var roleArn = parameters.GetValueOrDefault("RoleArn");
        var sessionName = parameters.GetValueOrDefault("RoleSessionName");
        var errors = new List<string>();
        if (string.IsNullOrEmpty(roleArn) || roleArn.Length < 20)
            errors.Add($"Value '{roleArn}' at 'roleArn' failed to satisfy constraint: Member must have length greater than or equal to 20");
        if (sessionName is null || !SessionNamePattern().IsMatch(sessionName))
            errors.Add($"Value '{sessionName}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*");
        var sourceIdentity = parameters.GetValueOrDefault("SourceIdentity");
        if (sourceIdentity is not null && !SessionNamePattern().IsMatch(sourceIdentity))
            errors.Add($"Value '{sourceIdentity}' at 'sourceIdentity' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*");
        if (errors.Count > 0)
            throw new AwsError(400, "ValidationError", $"{errors.Count} validation error{(errors.Count == 1 ? "" : "s")} detected: {string.Join("; ", errors)}");

        var mfa = ValidateMfaParameters(parameters);
        IamRole? role;
        lock (_iamLock) role = _roles.GetValueOrDefault(roleArn!);
        var notAuthorized = new AwsError(403, "AccessDenied", $"User: {caller.Arn} is not authorized to perform: sts:AssumeRole on resource: {roleArn}");
        if (role is null || !role.TrustedUserArns.Contains(caller.User.Arn)) throw notAuthorized;

        var duration = Duration(parameters, min: 900, max: 43200, fallback: 3600, tooLong: role.MaxSessionDuration);
        if (mfa is not null) CheckCode(caller.User, mfa.Value.Serial, mfa.Value.Code);
        var mfaPresent = mfa is not null || caller.MfaAuthenticated;
        // The trust policy's Condition: Bool aws:MultiFactorAuthPresent = true.
        if (role.RequireMfa && !mfaPresent) throw notAuthorized;

        var arn = $"arn:aws:sts::{role.Account}:assumed-role/{role.Name}/{sessionName}";
        var session = Issue(caller.User, arn, $"{role.RoleId}:{sessionName}", role, mfaPresent, sourceIdentity, duration, "AssumeRole");
        var result = new List<XElement>();
        if (sourceIdentity is not null) result.Add(new XElement(Sts + "SourceIdentity", sourceIdentity));
        result.Add(new XElement(Sts + "AssumedRoleUser", new XElement(Sts + "Arn", arn), new XElement(Sts + "AssumedRoleId", session.UserId)));
        result.Add(CredentialsElement(session));
        return result;
    }

    private static TimeSpan Duration(Dictionary<string, string> parameters, int min, int max, int fallback, TimeSpan? tooLong)
    {
        if (!parameters.TryGetValue("DurationSeconds", out var text)) return TimeSpan.FromSeconds(Math.Min(fallback, (int)(tooLong?.TotalSeconds ?? fallback)));
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds))
            throw new AwsError(400, "ValidationError", $"1 validation error detected: Value '{text}' at 'durationSeconds' failed to satisfy constraint: Member must be a number");
        if (seconds < min)
            throw new AwsError(400, "ValidationError", $"1 validation error detected: Value '{seconds}' at 'durationSeconds' failed to satisfy constraint: Member must have value greater than or equal to {min}");
        if (seconds > max)
            throw new AwsError(400, "ValidationError", $"1 validation error detected: Value '{seconds}' at 'durationSeconds' failed to satisfy constraint: Member must have value less than or equal to {max}");
        if (tooLong is { } roleMax && seconds > roleMax.TotalSeconds)
            throw new AwsError(400, "ValidationError", "The requested DurationSeconds exceeds the MaxSessionDuration set for this role.");
        return TimeSpan.FromSeconds(seconds);
    }

    private static (string Serial, string Code)? ValidateMfaParameters(Dictionary<string, string> parameters)
    {
        var serial = parameters.GetValueOrDefault("SerialNumber");
        var code = parameters.GetValueOrDefault("TokenCode");
        if (serial is null && code is null) return null;
        var errors = new List<string>();
        if (code is null || code.Length != 6)
            errors.Add($"Value '{code}' at 'tokenCode' failed to satisfy constraint: Member must have length {(code is { Length: > 6 } ? "less than or equal to 6" : "greater than or equal to 6")}");
        else if (!code.All(char.IsAsciiDigit))
            errors.Add($"Value '{code}' at 'tokenCode' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\d]*");
        if (serial is null || serial.Length < 9)
            errors.Add($"Value '{serial}' at 'serialNumber' failed to satisfy constraint: Member must have length greater than or equal to 9");
        if (errors.Count > 0)
            throw new AwsError(400, "ValidationError", $"{errors.Count} validation error{(errors.Count == 1 ? "" : "s")} detected: {string.Join("; ", errors)}");
        return (serial!, code!);
    }

    /// <summary>RFC 6238 with one step of skew either way; a code whose step is at or before the last accepted one is spent.</summary>
    private void CheckCode(IamUser user, string serial, string code)
    {
        lock (_iamLock)
        {
            if (!_devices.TryGetValue(serial, out var device) || device.Owner != user)
                throw new AwsError(403, "AccessDenied", "MultiFactorAuthentication failed, unable to validate MFA code. Please verify your MFA serial number is valid and associated with this user.");

            var totp = new Totp(device.Secret);
            var valid = totp.VerifyTotp(Clock.GetUtcNow().UtcDateTime, code, out var step, new VerificationWindow(previous: 1, future: 1));
            if (!valid || step <= device.LastAcceptedStep)
                throw new AwsError(403, "AccessDenied", "MultiFactorAuthentication failed with invalid MFA one time pass code.");
            device.LastAcceptedStep = step;
        }
    }

    private IssuedSession Issue(IamUser user, string arn, string userId, IamRole? role, bool mfa, string? sourceIdentity, TimeSpan duration, string issuedBy)
    {
        var session = new IssuedSession
        {
            AccessKeyId = "ASIA" + Ids.Random(16),
            SecretAccessKey = Ids.Secret(40),
            SessionToken = "IQoJb3JpZ2luX2VjE" + Ids.Secret(300),
            Expiration = Clock.GetUtcNow() + duration,
            Arn = arn,
            UserId = userId,
            BaseUser = user,
            Role = role,
            MfaAuthenticated = mfa,
            SourceIdentity = sourceIdentity,
            IssuedBy = issuedBy,
        };
        lock (_iamLock) _sessions[session.AccessKeyId] = session;
        return session;
    }

    private static XElement CredentialsElement(IssuedSession session) =>
        new(Sts + "Credentials",
            new XElement(Sts + "AccessKeyId", session.AccessKeyId),
            new XElement(Sts + "SecretAccessKey", session.SecretAccessKey),
            new XElement(Sts + "SessionToken", session.SessionToken),
            new XElement(Sts + "Expiration", session.Expiration.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture)));
}
