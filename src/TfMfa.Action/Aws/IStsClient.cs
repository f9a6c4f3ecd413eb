using TfMfa.Codes;

namespace TfMfa.Aws;

public sealed record MfaToken(string SerialNumber, MfaCode Code);

public sealed record RoleRequest(string RoleArn, string SessionName, string? SourceIdentity);

/// <summary>
/// The STS calls the gate makes, signed with the long-term keys. A call that carries a code is
/// sent exactly once: never retried, whatever happens to the answer.
/// </summary>
public interface IStsClient
{
    /// <summary>Who the long-term keys are (GetCallerIdentity): checked before anyone is asked for a code.</summary>
    Task<string> GetCallerArnAsync(CancellationToken cancellationToken);

    Task<AwsCredentials> GetSessionTokenAsync(MfaToken mfa, TimeSpan duration, CancellationToken cancellationToken);

    Task<AwsCredentials> AssumeRoleAsync(RoleRequest role, MfaToken? mfa, TimeSpan duration, CancellationToken cancellationToken);
}
