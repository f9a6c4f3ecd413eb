using System.Globalization;
using TfMfa.RunLog;

namespace TfMfa.Gate;

/// <summary>The action's outputs, written once at the end whatever happened.</summary>
public sealed class RunOutputs
{
    public bool MfaRequired { get; set; }
    public string AuthenticatedBy { get; set; } = "";
    public string ExitCode { get; set; } = "";
    public DateTimeOffset? SessionExpiration { get; set; }
    public string MfaDevice { get; set; } = "";
    public string PlanSha256 { get; set; } = "";

    /// <summary>comment-trigger: the run asked for a code and ended; the /mfa comment starts the run that answers.</summary>
    public bool Waiting { get; set; }

    /// <summary>The outputs name the code that applied, or none if it never comes.</summary>
    public void ForgetAuthentication()
    {
        AuthenticatedBy = "";
        SessionExpiration = null;
        MfaDevice = "";
    }

    public void WriteTo(IRunLog log)
    {
        log.SetOutput("mfa-required", MfaRequired ? "true" : "false");
        log.SetOutput("authenticated-by", AuthenticatedBy);
        log.SetOutput("exit-code", ExitCode);
        log.SetOutput("mfa-device", MfaDevice);
        log.SetOutput("plan-sha256", PlanSha256);
        log.SetOutput("waiting", Waiting ? "true" : "false");
        log.SetOutput("session-expiration", SessionExpiration?.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture) ?? "");
    }
}
