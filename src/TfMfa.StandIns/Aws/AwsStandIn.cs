using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TfMfa.StandIns.Aws;

/// <summary>
/// A local AWS on 127.0.0.1: the STS Query API (GetSessionToken, AssumeRole, GetCallerIdentity)
/// and the S3 subset terraform's S3 backend uses, both behind SigV4 checks against the keys it
/// knows or issued. MFA codes are real TOTP codes, each accepted once. Every request is recorded
/// with the key that signed it.
/// </summary>
public sealed partial class AwsStandIn : IAsyncDisposable
{
    public const string DefaultAccount = "123456789012";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<AwsRequestRecord> _requests = new();
    private readonly ConcurrentQueue<StsFault> _stsFaults = new();
    private readonly Lock _iamLock = new();
    private readonly Dictionary<string, IamUser> _users = new(StringComparer.Ordinal);
    private readonly Dictionary<string, VirtualMfaDevice> _devices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IamRole> _roles = new(StringComparer.Ordinal);
    private readonly Dictionary<string, IssuedSession> _sessions = new(StringComparer.Ordinal);

    private AwsStandIn(WebApplication app, TimeProvider clock)
    {
        _app = app;
        Clock = clock;
    }

    /// <summary>The stand-in's clock: TOTP codes and credential expiry follow it, so tests can step past a 30 s window.</summary>
    public TimeProvider Clock { get; }

    /// <summary>Base URL, like <c>http://127.0.0.1:41234</c>; serves both STS and S3 (path style).</summary>
    public string Endpoint { get; private set; } = "";

    public IReadOnlyList<AwsRequestRecord> Requests => [.. _requests];

    public static async Task<AwsStandIn> StartAsync(TimeProvider? clock = null, CancellationToken cancellationToken = default)
    {
        var app = LoopbackServer.Create();
        var standIn = new AwsStandIn(app, clock ?? TimeProvider.System);
        standIn.Endpoint = await LoopbackServer.ServeAsync(app, standIn.HandleAsync, cancellationToken);
        return standIn;
    }

    public ValueTask DisposeAsync() => LoopbackServer.StopAsync(_app);

    public IamUser AddUser(string name, string account = DefaultAccount)
    {
        var user = new IamUser(name, account, "AKIA" + Ids.Random(16), Ids.Secret(40));
        lock (_iamLock) _users[user.AccessKeyId] = user;
        return user;
    }

    public VirtualMfaDevice AddVirtualMfaDevice(IamUser owner, string? name = null)
    {
        var device = new VirtualMfaDevice($"arn:aws:iam::{owner.Account}:mfa/{name ?? owner.Name}", owner, RandomNumberGenerator.GetBytes(20));
        lock (_iamLock)
        {
            // IAM: "You can register up to 8 MFA devices of any combination of the currently supported MFA types" per user.
            if (_devices.Values.Count(d => d.Owner == owner) >= 8)
                throw new InvalidOperationException($"LimitExceeded: {owner.Name} already has 8 MFA devices, the most IAM allows per user");
            _devices[device.SerialNumber] = device;
        }
        return device;
    }

    public IamRole AddRole(string name, IEnumerable<IamUser> trusted, bool requireMfa, TimeSpan? maxSessionDuration = null, string account = DefaultAccount)
    {
        var role = new IamRole(name, account, [.. trusted.Select(u => u.Arn)], requireMfa, maxSessionDuration ?? TimeSpan.FromHours(1));
        lock (_iamLock) _roles[role.Arn] = role;
        return role;
    }

    /// <summary>
    /// The next STS call of <paramref name="operation"/> fails: with an AWS error, or, when
    /// <paramref name="dropConnection"/>, by closing the connection after the code was checked
    /// (the answer is lost, the code is spent).
    /// </summary>
    public void InjectStsFault(string operation, int status = 500, string code = "InternalFailure", string message = "An internal error has occurred", bool dropConnection = false) =>
        _stsFaults.Enqueue(new StsFault(operation, status, code, message, dropConnection));

    internal sealed record StsFault(string Operation, int Status, string Code, string Message, bool DropConnection);

    public IReadOnlyList<IssuedSession> IssuedSessions
    {
        get { lock (_iamLock) return [.. _sessions.Values]; }
    }

    private async Task HandleAsync(HttpContext context)
    {
        var requestId = Guid.NewGuid().ToString();
        var body = await ReadBodyAsync(context.Request);
        var signed = SigV4Verifier.Parse(context.Request);
        var isSts = signed?.Service == "sts" || (signed is null && HttpMethods.IsPost(context.Request.Method) && context.Request.Path == "/");
        // Filled in as the request is understood, so a refused request is recorded as far as it got.
        var record = new PendingRecord { At = Clock.GetUtcNow(), Service = isSts ? "sts" : "s3", AccessKeyId = signed?.AccessKeyId };
        // Recorded before the answer leaves, so a client that reads Requests right after its call sees it.
        record.Commit = () => _requests.Enqueue(record.ToRecord());
        context.Response.OnStarting(() =>
        {
            record.Status = context.Response.StatusCode;
            record.CommitOnce();
            return Task.CompletedTask;
        });
        try
        {
            if (isSts) await HandleStsAsync(context, signed, body, requestId, record);
            else await HandleS3Async(context, signed, body, requestId, record);
        }
        catch (AwsError error)
        {
            (record.Status, record.ErrorCode) = (error.Status, error.Code);
            if (isSts) await error.WriteStsAsync(context, requestId);
            else await error.WriteS3Async(context, requestId, record.Resource);
        }
        finally
        {
            if (record.Status == 0) record.Status = context.Response.StatusCode;
            record.CommitOnce();
        }
    }

    private sealed class PendingRecord
    {
        public DateTimeOffset At { get; init; }
        public required string Service { get; init; }
        public string Operation { get; set; } = "";
        public string? AccessKeyId { get; init; }
        public string? CallerArn { get; set; }
        public bool MfaAuthenticated { get; set; }
        public int Status { get; set; }
        public string? ErrorCode { get; set; }
        public string? TokenCode { get; set; }
        public string? SerialNumber { get; set; }
        public string? Resource { get; set; }

        public Action? Commit { get; set; }
        private int _committed;

        public void CommitOnce()
        {
            if (Interlocked.Exchange(ref _committed, 1) == 0) Commit?.Invoke();
        }

        public AwsRequestRecord ToRecord() =>
            new(At, Service, Operation, AccessKeyId, CallerArn, MfaAuthenticated, Status, ErrorCode, TokenCode, Resource, SerialNumber);
    }

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request)
    {
        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer);
        return buffer.ToArray();
    }

    /// <summary>Finds the key's owner, checks the signature and the session token; AWS's own errors otherwise.</summary>
    private Caller Authenticate(HttpContext context, SigV4Verifier.SignedRequest? signed, byte[] body, bool s3)
    {
        if (signed is null)
            throw s3
                ? new AwsError(403, "AccessDenied", "Access Denied")
                : new AwsError(403, "MissingAuthenticationToken", "Request is missing Authentication Token");

        IamUser? user;
        IssuedSession? session;
        lock (_iamLock)
        {
            user = _users.GetValueOrDefault(signed.AccessKeyId);
            session = _sessions.GetValueOrDefault(signed.AccessKeyId);
        }

        var secret = user?.SecretAccessKey ?? session?.SecretAccessKey
            ?? throw (s3
                ? new AwsError(403, "InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.")
                : new AwsError(403, "InvalidClientTokenId", "The security token included in the request is invalid."));

        SigV4Verifier.Verify(context, signed, secret, body, Clock.GetUtcNow(), s3);

        var token = context.Request.Headers["x-amz-security-token"].ToString();
        if (session is not null)
        {
            if (!CryptographicOperations.FixedTimeEquals(System.Text.Encoding.UTF8.GetBytes(token), System.Text.Encoding.UTF8.GetBytes(session.SessionToken)))
                throw s3
                    ? new AwsError(400, "InvalidToken", "The provided token is malformed or otherwise invalid.")
                    : new AwsError(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
            if (session.Expiration <= Clock.GetUtcNow())
                throw s3
                    ? new AwsError(400, "ExpiredToken", "The provided token has expired.")
                    : new AwsError(400, "ExpiredToken", "The security token included in the request is expired");
            return new Caller(session.AccessKeyId, session.Arn, session.UserId, session.BaseUser.Account, session.MfaAuthenticated, session.BaseUser, session);
        }
        if (token.Length > 0)
            throw s3
                ? new AwsError(400, "InvalidToken", "The provided token is malformed or otherwise invalid.")
                : new AwsError(403, "InvalidClientTokenId", "The security token included in the request is invalid.");
        return new Caller(user!.AccessKeyId, user.Arn, user.UserId, user.Account, false, user, null);
    }
}
