using Amazon;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;

namespace TfMfa.Aws;

/// <summary>
/// STS through AWSSDK.SecurityToken. Calls that carry a code run on a client with every SDK retry
/// off (<c>MaxErrorRetry = 0</c> and <c>MaxStaleConnectionRetries = 0</c>): AWS accepts a code once,
/// so a resend after STS answered would fail and hide the real outcome.
/// </summary>
public sealed class AwsSdkStsClient(AwsCredentials longTerm, string region, string? endpointUrl) : IStsClient
{
    private static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(30);

    // One client per retry policy, made once: building an SDK client is not free, and the call
    // that carries a code is on the path a person is waiting on.
    private AmazonSecurityTokenServiceClient? _withRetries;
    private AmazonSecurityTokenServiceClient? _sendOnce;

    public async Task<string> GetCallerArnAsync(CancellationToken cancellationToken)
    {
        try
        {
            var response = await Client(carriesCode: false).GetCallerIdentityAsync(new GetCallerIdentityRequest(), cancellationToken);
            return response.Arn;
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw StsErrorTranslator.Translate(e, Context("GetCallerIdentity", null, null));
        }
    }

    public string Endpoint => endpointUrl ?? $"https://sts.{region}.amazonaws.com";

    public async Task<AwsCredentials> GetSessionTokenAsync(MfaToken mfa, TimeSpan duration, CancellationToken cancellationToken)
    {
        var request = new GetSessionTokenRequest
        {
            SerialNumber = mfa.SerialNumber,
            TokenCode = mfa.Code.Digits,
            DurationSeconds = (int)duration.TotalSeconds,
        };
        var call = Context("GetSessionToken", mfa, null);
        try
        {
            var response = await Client(carriesCode: true).GetSessionTokenAsync(request, cancellationToken);
            return FromSdk(response.Credentials);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw StsErrorTranslator.Translate(e, call);
        }
    }

    public async Task<AwsCredentials> AssumeRoleAsync(RoleRequest role, MfaToken? mfa, TimeSpan duration, CancellationToken cancellationToken)
    {
        var request = new AssumeRoleRequest
        {
            RoleArn = role.RoleArn,
            RoleSessionName = role.SessionName,
            SourceIdentity = role.SourceIdentity,
            DurationSeconds = (int)duration.TotalSeconds,
        };
        if (mfa is not null)
        {
            request.SerialNumber = mfa.SerialNumber;
            request.TokenCode = mfa.Code.Digits;
        }
        var call = Context("AssumeRole", mfa, role.RoleArn);
        try
        {
            var response = await Client(carriesCode: mfa is not null).AssumeRoleAsync(request, cancellationToken);
            return FromSdk(response.Credentials);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            throw StsErrorTranslator.Translate(e, call);
        }
    }

    private StsErrorTranslator.CallContext Context(string operation, MfaToken? mfa, string? roleArn) =>
        new(operation, mfa?.SerialNumber ?? "", roleArn, longTerm.AccessKeyId, Endpoint, mfa?.Code.Digits);

    private AmazonSecurityTokenServiceClient Client(bool carriesCode) =>
        carriesCode ? _sendOnce ??= CreateClient(carriesCode: true) : _withRetries ??= CreateClient(carriesCode: false);

    private AmazonSecurityTokenServiceClient CreateClient(bool carriesCode)
    {
        var config = new AmazonSecurityTokenServiceConfig
        {
            // Endpoints come from our own environment reader, not the SDK's ambient lookups.
            IgnoreConfiguredEndpointUrls = true,
            Timeout = CallTimeout,
        };
        if (endpointUrl is not null)
        {
            config.ServiceURL = endpointUrl;
            config.AuthenticationRegion = region;
        }
        else
        {
            config.RegionEndpoint = RegionEndpoint.GetBySystemName(region);
        }
        if (carriesCode)
        {
            config.MaxErrorRetry = 0;
            config.MaxStaleConnectionRetries = 0;
        }

        AWSCredentials credentials = longTerm.SessionToken is null
            ? new BasicAWSCredentials(longTerm.AccessKeyId, longTerm.SecretAccessKey)
            : new SessionAWSCredentials(longTerm.AccessKeyId, longTerm.SecretAccessKey, longTerm.SessionToken);
        return new AmazonSecurityTokenServiceClient(credentials, config);
    }

    private static AwsCredentials FromSdk(Credentials credentials) =>
        new(credentials.AccessKeyId, credentials.SecretAccessKey, credentials.SessionToken,
            credentials.Expiration is { } expiration ? AsUtc(expiration) : null);

    private static DateTimeOffset AsUtc(DateTime time) =>
        new(time.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(time, DateTimeKind.Utc) : time.ToUniversalTime());
}
