namespace TfMfa.Terraform.Releases;

/// <summary>
/// A tool TfMfa can fetch: where its releases live, how their files are named, and whose key signs
/// them. A mirror (<c>releases-url</c>) uses HashiCorp's layout for either product:
/// <c>&lt;url&gt;/&lt;binary&gt;/&lt;version&gt;/&lt;binary&gt;_&lt;version&gt;_linux_&lt;arch&gt;.zip</c>,
/// the <c>_SHA256SUMS</c> file and its signature beside it, and <c>&lt;url&gt;/&lt;binary&gt;/index.json</c>.
/// </summary>
public sealed record ReleaseProduct(
    string Name,
    string Binary,
    string SignatureSuffix,
    string KeyResource,
    string KeyFingerprint,
    string KeyOwner,
    Func<ReleaseVersion, string> DefaultReleaseDirectory,
    string DefaultIndexUrl,
    string Website)
{
    /// <summary>
    /// HashiCorp's release key, primary fingerprint C874 011F 0AB4 0511 0D02 1055 3436 5D94 72D7 468F
    /// (signing subkey 374E C75B 4859 1360 4A83 1CC7 C820 C6D5 CD27 AB87, valid to 2030-03-01), as
    /// hashicorp/hc-install embeds it (internal/pubkey/pubkey.go, "See https://www.hashicorp.com/security").
    /// The fingerprint was checked against two independent sources found with the search tool: HashiCorp's
    /// own READMEs ("Validate your installs ... https://www.hashicorp.com/trust/security C874 011F 0AB4 0511
    /// 0D02 1055 3436 5D94 72D7 468F", and the same on https://keybase.io/hashicorp), and a Dockerfile that
    /// fetches it from pgp.mit.edu/keys.openpgp.org by that fingerprint to verify nomad's SHA256SUMS.
    /// <see cref="TrustedKeys"/> refuses the embedded key unless its fingerprint is this one.
    /// </summary>
    public static readonly ReleaseProduct Terraform = new(
        "terraform", "terraform", ".sig", "hashicorp.asc", "C874011F0AB405110D02105534365D9472D7468F", "HashiCorp",
        v => $"https://releases.hashicorp.com/terraform/{v}",
        "https://releases.hashicorp.com/terraform/index.json",
        "https://releases.hashicorp.com/terraform/");

    /// <summary>
    /// OpenTofu's release key, fingerprint E3E6 E43D 84CB 852E ADB0 051D 0C0A F313 E5FD 9F80 (from
    /// https://get.opentofu.org/opentofu.asc). Checked against two independent sources found with the
    /// search tool: dnf's import log of https://get.opentofu.org/opentofu.gpg ("Importing GPG key
    /// 0xE5FD9F80 ... Fingerprint: E3E6 E43D 84CB 852E ADB0 051D 0C0A F313 E5FD 9F80"), and an
    /// installer that bundles the key and refuses it unless gpg lists that fingerprint.
    /// OpenTofu signs <c>tofu_&lt;v&gt;_SHA256SUMS</c> as <c>.gpgsig</c> on its GitHub releases.
    /// </summary>
    public static readonly ReleaseProduct OpenTofu = new(
        "OpenTofu", "tofu", ".gpgsig", "opentofu.asc", "E3E6E43D84CB852EADB0051D0C0AF313E5FD9F80", "OpenTofu",
        v => $"https://github.com/opentofu/opentofu/releases/download/v{v}",
        "https://get.opentofu.org/tofu/api.json",
        "https://github.com/opentofu/opentofu/releases");

    public string ZipName(ReleaseVersion version, string arch) => $"{Binary}_{version}_linux_{arch}.zip";
    public string SumsName(ReleaseVersion version) => $"{Binary}_{version}_SHA256SUMS";

    /// <summary>The directory holding a version's files: the product's own releases, or the mirror's.</summary>
    public string ReleaseDirectory(ReleaseVersion version, string? mirror) =>
        mirror is null ? DefaultReleaseDirectory(version) : $"{mirror.TrimEnd('/')}/{Binary}/{version}";

    public string IndexUrl(string? mirror) => mirror is null ? DefaultIndexUrl : $"{mirror.TrimEnd('/')}/{Binary}/index.json";
}
