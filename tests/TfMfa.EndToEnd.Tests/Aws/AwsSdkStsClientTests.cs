using System.Net;
using System.Net.Sockets;
using Amazon;
using Amazon.Runtime;
using Amazon.SecurityToken;
using Amazon.SecurityToken.Model;
using Microsoft.Extensions.Time.Testing;
using TfMfa.Aws;
using TfMfa.Codes;
using TfMfa.StandIns.Aws;

namespace TfMfa.EndToEnd.Aws;

/// <summary>The real STS client (AWSSDK.SecurityToken) against the AWS stand-in, which checks every signature and code.</summary>
public sealed class AwsSdkStsClientTests : IAsyncLifetime
{
    private const int Timeout = 30_000;
    private readonly FakeTimeProvider _clock = new(DateTimeOffset.UtcNow);
    private AwsStandIn _aws = null!;
    private IamUser _user = null!;
    private VirtualMfaDevice _device = null!;

    public async ValueTask InitializeAsync()
    {
        _aws = await AwsStandIn.StartAsync(_clock);
        _user = _aws.AddUser("ci");
        _device = _aws.AddVirtualMfaDevice(_user);
    }

    public async ValueTask DisposeAsync() => await _aws.DisposeAsync();

    private AwsSdkStsClient Client(AwsCredentials? keys = null) =>
        new(keys ?? new AwsCredentials(_user.AccessKeyId, _user.SecretAccessKey), "us-east-1", _aws.Endpoint);

    private MfaToken Token(string? code = null, VirtualMfaDevice? device = null)
    {
        MfaCode.TryParse(code ?? (device ?? _device).CodeAt(_clock.GetUtcNow()), out var parsed);
        return new MfaToken((device ?? _device).SerialNumber, parsed!);
    }

    private AmazonSecurityTokenServiceClient SdkClient(AWSCredentials credentials) =>
        new(credentials, new AmazonSecurityTokenServiceConfig { ServiceURL = _aws.Endpoint, AuthenticationRegion = "us-east-1" });

    [Fact(Timeout = Timeout)]
    public async Task A_right_code_gives_session_credentials_that_the_stand_in_accepts_as_mfa_authenticated()
    {
        var credentials = await Client().GetSessionTokenAsync(Token(), TimeSpan.FromHours(1), TestContext.Current.CancellationToken);

        Assert.StartsWith("ASIA", credentials.AccessKeyId);
        Assert.Equal(_clock.GetUtcNow().AddHours(1).ToUnixTimeSeconds(), credentials.Expiration!.Value.ToUnixTimeSeconds(), tolerance: 1);
        using var sdk = SdkClient(new SessionAWSCredentials(credentials.AccessKeyId, credentials.SecretAccessKey, credentials.SessionToken));
        var identity = await sdk.GetCallerIdentityAsync(new GetCallerIdentityRequest(), TestContext.Current.CancellationToken);
        Assert.Equal(_user.Arn, identity.Arn);
        Assert.True(_aws.Requests.Last().MfaAuthenticated);
    }

    [Fact(Timeout = Timeout)]
    public async Task The_stand_in_refuses_a_signature_made_with_the_wrong_secret()
    {
        using var sdk = SdkClient(new BasicAWSCredentials(_user.AccessKeyId, "not-the-secret-" + new string('x', 25)));

        var error = await Assert.ThrowsAsync<AmazonSecurityTokenServiceException>(() => sdk.GetCallerIdentityAsync(new GetCallerIdentityRequest(), TestContext.Current.CancellationToken));

        Assert.Equal("SignatureDoesNotMatch", error.ErrorCode);
        Assert.Equal(HttpStatusCode.Forbidden, error.StatusCode);
    }

    [Fact(Timeout = Timeout)]
    public async Task An_unknown_key_is_translated_into_a_sentence_about_the_secret()
    {
        var error = await Assert.ThrowsAsync<StsException>(() =>
            Client(new AwsCredentials("AKIAUNKNOWNUNKNOWN00", "whatever-secret-value-of-some-length")).GetSessionTokenAsync(Token(), TimeSpan.FromHours(1), TestContext.Current.CancellationToken));

        Assert.Equal(StsFailureKind.InvalidKeys, error.Kind);
        Assert.Contains("AWS does not recognise the access key in AWS_ACCESS_KEY_ID (****WN00)", error.Message);
        Assert.Contains("(AWS error: InvalidClientTokenId, HTTP 403)", error.Message);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_code_is_accepted_once_and_the_second_use_is_explained()
    {
        var token = Token();
        await Client().GetSessionTokenAsync(token, TimeSpan.FromHours(1), TestContext.Current.CancellationToken);

        var error = await Assert.ThrowsAsync<StsException>(() => Client().GetSessionTokenAsync(token, TimeSpan.FromHours(1), TestContext.Current.CancellationToken));

        Assert.Equal(StsFailureKind.WrongCode, error.Kind);
        Assert.Equal("AccessDenied", error.AwsErrorCode);
        Assert.Contains("already used", error.Message);
        Assert.True(error.AnotherCodeMayHelp);
    }

    [Fact(Timeout = Timeout)]
    public async Task A_device_of_another_user_is_reported_as_not_assigned()
    {
        var other = _aws.AddVirtualMfaDevice(_aws.AddUser("someone-else"));

        var error = await Assert.ThrowsAsync<StsException>(() => Client().GetSessionTokenAsync(Token(device: other), TimeSpan.FromHours(1), TestContext.Current.CancellationToken));

        Assert.Equal(StsFailureKind.DeviceNotFound, error.Kind);
        Assert.Contains($"MFA device {other.SerialNumber}", error.Message);
        Assert.False(error.AnotherCodeMayHelp);
    }

    [Fact(Timeout = Timeout)]
    public async Task Session_keys_cannot_call_get_session_token_and_the_message_says_which_variable_to_drop()
    {
        var session = await Client().GetSessionTokenAsync(Token(), TimeSpan.FromHours(1), TestContext.Current.CancellationToken);
        _clock.Advance(TimeSpan.FromSeconds(30));

        var error = await Assert.ThrowsAsync<StsException>(() => Client(session).GetSessionTokenAsync(Token(), TimeSpan.FromHours(1), TestContext.Current.CancellationToken));

        Assert.Equal(StsFailureKind.SessionCredentialsNotAllowed, error.Kind);
        Assert.Contains("AWS_SESSION_TOKEN is set", error.Message);
    }

    [Theory(Timeout = Timeout)]
    [InlineData(500, "InternalFailure", StsFailureKind.ServiceError)]
    [InlineData(503, "ServiceUnavailable", StsFailureKind.ServiceError)]
    [InlineData(400, "Throttling", StsFailureKind.Throttled)]
    public async Task A_failed_call_carrying_a_code_is_sent_exactly_once_and_asks_for_a_new_code(int status, string code, StsFailureKind kind)
    {
        _aws.InjectStsFault("GetSessionToken", status, code, "Rate exceeded");

        var error = await Assert.ThrowsAsync<StsException>(() => Client().GetSessionTokenAsync(Token(), TimeSpan.FromHours(1), TestContext.Current.CancellationToken));

        Assert.Equal(kind, error.Kind);
        Assert.Contains("not sent again: supply a new code", error.Message);
        Assert.Single(_aws.Requests, r => r.Operation == "GetSessionToken");
    }

    [Fact(Timeout = Timeout)]
    public async Task An_answer_lost_after_sts_took_the_code_is_not_retried_on_a_fresh_connection()
    {
        _aws.InjectStsFault("GetSessionToken", dropConnection: true);

        var error = await Assert.ThrowsAsync<StsException>(() => Client().GetSessionTokenAsync(Token(), TimeSpan.FromHours(1), TestContext.Current.CancellationToken));

        Assert.Equal(StsFailureKind.Network, error.Kind);
        Assert.True(error.AnotherCodeMayHelp);
        var call = Assert.Single(_aws.Requests, r => r.Operation == "GetSessionToken");
        Assert.Equal("ConnectionDropped", call.ErrorCode);
        Assert.Single(_aws.IssuedSessions); // STS did take the code
    }

    [Fact(Timeout = Timeout)]
    public async Task Nothing_listening_is_a_network_error_naming_the_endpoint()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var client = new AwsSdkStsClient(new AwsCredentials(_user.AccessKeyId, _user.SecretAccessKey), "us-east-1", $"http://127.0.0.1:{port}");

        var error = await Assert.ThrowsAsync<StsException>(() => client.GetSessionTokenAsync(Token(), TimeSpan.FromHours(1), TestContext.Current.CancellationToken));

        Assert.Equal(StsFailureKind.Network, error.Kind);
        Assert.Contains($"http://127.0.0.1:{port}", error.Message);
    }

    [Fact(Timeout = Timeout)]
    public async Task Assume_role_with_mfa_sets_session_name_and_source_identity()
    {
        var role = _aws.AddRole("deploy", [_user], requireMfa: true);

        var credentials = await Client().AssumeRoleAsync(new RoleRequest(role.Arn, SessionNames.SessionName("alice"), "alice"), Token(), TimeSpan.FromHours(1), TestContext.Current.CancellationToken);

        var session = Assert.Single(_aws.IssuedSessions);
        Assert.Equal(credentials.AccessKeyId, session.AccessKeyId);
        Assert.Equal("arn:aws:sts::123456789012:assumed-role/deploy/tfmfa-alice", session.Arn);
        Assert.Equal("alice", session.SourceIdentity);
        Assert.True(session.MfaAuthenticated);
    }

    [Fact(Timeout = Timeout)]
    public async Task Assume_role_refuses_a_duration_beyond_the_roles_maximum_with_awss_message()
    {
        var role = _aws.AddRole("deploy", [_user], requireMfa: false);

        var error = await Assert.ThrowsAsync<StsException>(() => Client().AssumeRoleAsync(new RoleRequest(role.Arn, "tfmfa-alice", null), null, TimeSpan.FromHours(2), TestContext.Current.CancellationToken));

        Assert.Equal(StsFailureKind.BadRequest, error.Kind);
        Assert.Contains("exceeds the MaxSessionDuration set for this role", error.Message);
    }
}
