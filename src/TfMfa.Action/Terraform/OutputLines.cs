using System.Text;

namespace TfMfa.Terraform;

/// <summary>terraform's output as text lines, for what TfMfa reads itself (a version, a plan); the log takes bytes.</summary>
public static class OutputLines
{
    /// <summary>Hands each line (UTF-8, without its line break) to <paramref name="line"/>.</summary>
    public static OutputReader To(Action<string> line) => async (output, cancellationToken) =>
    {
        using var reader = new StreamReader(output, new UTF8Encoding(false), detectEncodingFromByteOrderMarks: false, leaveOpen: true);
        while (await reader.ReadLineAsync(cancellationToken) is { } text) line(text);
    };

    /// <summary>Runs terraform with each output line handed to a callback.</summary>
    public static Task<int> RunAsync(this ITerraformProcess terraform, TerraformInvocation invocation, Action<string> standardOutput, Action<string> standardError, CancellationToken cancellationToken) =>
        terraform.RunAsync(invocation, To(standardOutput), To(standardError), cancellationToken);
}
