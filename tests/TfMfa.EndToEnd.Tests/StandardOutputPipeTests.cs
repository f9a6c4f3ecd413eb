using CliWrap;
using TfMfa.EndToEnd.Infrastructure;
using TfMfa.Hosting;
using TfMfa.StandIns.World;

namespace TfMfa.EndToEnd;

/// <summary>The pipe the runner reads the program's log from, as the program leaves it.</summary>
public sealed class StandardOutputPipeTests
{
    [Fact(Timeout = 60_000)]
    public async Task The_program_widens_the_pipe_its_log_is_read_from_so_the_reader_wakes_once_per_large_write()
    {
        Assert.SkipUnless(OperatingSystem.IsLinux(), "pipe capacity (F_SETPIPE_SZ) is a Linux matter");
        int? capacity = null;
        // Any run will do: this one stops at its inputs. The capacity is read at the end, from the reader's end of the pipe.
        var result = await Cli.Wrap("dotnet").WithArguments([ActionProcess.ProgramPath])
            .WithEnvironmentVariables(JobEnvironment.Isolated(new Dictionary<string, string> { ["GITHUB_ACTIONS"] = "true", ["INPUT_COMMAND"] = "destroy" }))
            .WithStandardOutputPipe(PipeTarget.Create(async (stream, token) =>
            {
                await stream.CopyToAsync(Stream.Null, token);
                capacity = PipeCapacity.Of(stream);
            }))
            .WithValidation(CommandResultValidation.None)
            .ExecuteAsync(TestContext.Current.CancellationToken);

        Assert.NotEqual(0, result.ExitCode);
        Assert.Equal(PipeCapacity.Bytes, capacity);
    }
}
