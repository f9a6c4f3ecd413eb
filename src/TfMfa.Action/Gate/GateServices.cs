using TfMfa.Aws;
using TfMfa.Hosting;
using TfMfa.Terraform;
using TfMfa.Terraform.Releases;

namespace TfMfa.Gate;

/// <summary>The I/O boundaries a run talks through; <see cref="Program"/> composes the real ones, tests their stand-ins.</summary>
/// <param name="FrontEnd">The CI system (or terminal) the run talks to: context, log, default branch, code channels.</param>
public sealed record GateServices(
    IEnvironment Environment,
    IFrontEnd FrontEnd,
    Func<AwsSettings, string, IStsClient> CreateSts,
    ITerraformProcess Terraform,
    TimeProvider Clock,
    ToolInstaller? Tools = null);
