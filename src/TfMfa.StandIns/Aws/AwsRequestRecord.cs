namespace TfMfa.StandIns.Aws;

/// <summary>
/// One request the stand-in answered: who signed it (which key, which principal) and how it ended.
/// <see cref="TokenCode"/> is the MFA code an STS call carried, so tests can prove none was sent twice;
/// <see cref="SerialNumber"/> the device it was checked against.
/// </summary>
public sealed record AwsRequestRecord(
    DateTimeOffset At,
    string Service,
    string Operation,
    string? AccessKeyId,
    string? CallerArn,
    bool MfaAuthenticated,
    int Status,
    string? ErrorCode,
    string? TokenCode,
    string? Resource,
    string? SerialNumber = null);
