
namespace TfMfa.Aws;

public enum StsFailureKind
{
    WrongCode,
    DeviceNotFound,
    BadRequest,
    AccessDenied,
    SessionCredentialsNotAllowed,
    InvalidKeys,
    Throttled,
    ServiceError,
    Network,
    Other,
}

/// <summary>STS refused or failed: the reason in plain words, AWS's error code kept for searching.</summary>
public sealed class StsException(StsFailureKind kind, string? awsErrorCode, string message, Exception? inner = null)
    : TfMfaException(message, inner)
{
    public StsFailureKind Kind { get; } = kind;
    public string? AwsErrorCode { get; } = awsErrorCode;

    /// <summary>A new code may help (the old one was wrong, used, or possibly consumed by a lost answer).</summary>
    public bool AnotherCodeMayHelp => Kind is StsFailureKind.WrongCode or StsFailureKind.Throttled
        or StsFailureKind.ServiceError or StsFailureKind.Network;
}
