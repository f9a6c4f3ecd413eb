namespace TfMfa.StandIns.Terraform;

/// <summary>
/// A terraform root module that needs no provider download: state in the S3 backend pointed at
/// the AWS stand-in, and a <c>terraform_data</c> whose <c>local-exec</c> records the AWS variables
/// terraform really ran with (in a file, never on the screen).
/// </summary>
public static class SampleModule
{
    public const string SeenEnvironmentFile = "seen-aws-environment.txt";

    public static void Write(string directory, string awsEndpoint, string bucket, string stateKey, bool useLockfile = true)
    {
        Directory.CreateDirectory(directory);
        // The endpoints attribute form: the block form is silently ignored and would go to real AWS.
        File.WriteAllText(Path.Combine(directory, "main.tf"), $$"""
            terraform {
              backend "s3" {
                bucket                      = "{{bucket}}"
                key                         = "{{stateKey}}"
                region                      = "us-east-1"
                use_path_style              = true
                use_lockfile                = {{(useLockfile ? "true" : "false")}}
                skip_metadata_api_check     = true
                skip_region_validation      = true
                endpoints = {
                  s3  = "{{awsEndpoint}}"
                  sts = "{{awsEndpoint}}"
                }
              }
            }

            resource "terraform_data" "whoami" {
              triggers_replace = [timestamp()]

              provisioner "local-exec" {
                command = "env | grep -E '^(AWS_|TF_IN_AUTOMATION=)' | sort > {{SeenEnvironmentFile}}"
              }
            }

            output "note" {
              value = "applied with the credentials recorded in {{SeenEnvironmentFile}}"
            }
            """);
    }

    /// <summary>Reads what the local-exec recorded: variable name to value.</summary>
    public static IReadOnlyDictionary<string, string> ReadSeenEnvironment(string directory)
    {
        var path = Path.Combine(directory, SeenEnvironmentFile);
        return File.ReadAllLines(path)
            .Where(l => l.Contains('='))
            .Select(l => l.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1]);
    }
}
