using TfMfa.Aws;

namespace TfMfa.Terraform;

/// <summary>
/// Builds terraform's environment as aws-vault does: every ambient credential variable removed,
/// then the chosen credentials set. Returned as changes to the action's own environment
/// (null removes a variable), so other <c>AWS_*</c> settings (endpoints, retry mode) pass through.
/// </summary>
public static class TerraformEnvironment
{
    /// <summary>Variables through which an AWS SDK (terraform's included) would find other credentials.</summary>
    public static readonly string[] AmbientCredentialVariables =
    [
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
        "AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_MFA_SERIAL_NUMBER", "AWS_CREDENTIAL_EXPIRATION",
        "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME", "AWS_WEB_IDENTITY_TOKEN_FILE",
        "AWS_CONTAINER_CREDENTIALS_FULL_URI", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_AUTHORIZATION_TOKEN",
    ];

    /// <param name="ambient">The action's environment.</param>
    /// <param name="credentials">The credentials terraform runs with; null leaves the ambient ones as given (no MFA, no role).</param>
    public static IReadOnlyDictionary<string, string?> Changes(IReadOnlyDictionary<string, string> ambient, AwsCredentials? credentials, string region)
    {
        var changes = new Dictionary<string, string?>(StringComparer.Ordinal);

        // The runner's tokens and TfMfa's inputs: the one deny-list, also applied by the process itself.
        foreach (var (name, value) in ChildEnvironment.Merge(ambient.Keys, new Dictionary<string, string?>())) changes[name] = value;

        changes["AWS_MFA_SERIAL_NUMBER"] = null;
        if (credentials is not null)
        {
            foreach (var name in AmbientCredentialVariables) changes[name] = null;
            changes["AWS_ACCESS_KEY_ID"] = credentials.AccessKeyId;
            changes["AWS_SECRET_ACCESS_KEY"] = credentials.SecretAccessKey;
            changes["AWS_SESSION_TOKEN"] = credentials.SessionToken;
        }

        changes["AWS_REGION"] = region;
        changes["AWS_DEFAULT_REGION"] = region;
        changes["TF_IN_AUTOMATION"] = "1";
        return changes;
    }

    /// <summary>The environment a child sees: <paramref name="ambient"/> with <paramref name="changes"/> applied.</summary>
    public static IReadOnlyDictionary<string, string> Apply(IReadOnlyDictionary<string, string> ambient, IReadOnlyDictionary<string, string?> changes)
    {
        var result = new Dictionary<string, string>(ambient, StringComparer.Ordinal);
        foreach (var (name, value) in changes)
        {
            if (value is null) result.Remove(name);
            else result[name] = value;
        }
        return result;
    }
}
