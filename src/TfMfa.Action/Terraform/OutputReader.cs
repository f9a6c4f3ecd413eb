namespace TfMfa.Terraform;

/// <summary>Reads one of terraform's output streams to its end, as terraform writes it.</summary>
public delegate Task OutputReader(Stream output, CancellationToken cancellationToken);
