using Org.BouncyCastle.Bcpg.OpenPgp;

namespace TfMfa.Terraform.Releases;

/// <summary>The OpenPGP keys a release's SHA256SUMS must be signed with, and the check of a detached signature.</summary>
public sealed class TrustedKeys
{
    private readonly PgpPublicKeyRingBundle _keys;

    private TrustedKeys(PgpPublicKeyRingBundle keys, string owner, string fingerprint)
    {
        _keys = keys;
        Owner = owner;
        Fingerprint = fingerprint;
    }

    /// <summary>Whose key it is, for messages ("HashiCorp").</summary>
    public string Owner { get; }

    /// <summary>The primary key's fingerprint, grouped as gpg prints it.</summary>
    public string Fingerprint { get; }

    /// <summary>The product's embedded key; refused unless its primary fingerprint is the pinned one.</summary>
    public static TrustedKeys For(ReleaseProduct product)
    {
        using var stream = typeof(TrustedKeys).Assembly.GetManifestResourceStream($"TfMfa.Keys.{product.KeyResource}")
            ?? throw new InvalidOperationException($"the embedded key {product.KeyResource} is missing from the build");
        var keys = Parse(stream, $"{product.KeyOwner}'s embedded key");
        var fingerprints = keys.GetKeyRings().Cast<PgpPublicKeyRing>().Select(r => Convert.ToHexString(r.GetPublicKey().GetFingerprint())).ToList();
        if (fingerprints is not [var only] || only != product.KeyFingerprint)
            throw new InvalidOperationException($"the embedded {product.KeyOwner} key has fingerprint {string.Join(", ", fingerprints)}, not the pinned {product.KeyFingerprint}");
        return new TrustedKeys(keys, product.KeyOwner, Group(only));
    }

    /// <summary>A key given as the releases-key input (a mirror that signs with its own key).</summary>
    public static TrustedKeys FromArmored(string armored, string owner)
    {
        using var stream = new MemoryStream(System.Text.Encoding.UTF8.GetBytes(armored));
        var keys = Parse(stream, owner);
        var primary = keys.GetKeyRings().Cast<PgpPublicKeyRing>().Select(r => Convert.ToHexString(r.GetPublicKey().GetFingerprint())).FirstOrDefault()
            ?? throw new TfMfaException($"{owner} holds no public key; paste an ASCII-armored OpenPGP public key block");
        return new TrustedKeys(keys, owner, Group(primary));
    }

    private static PgpPublicKeyRingBundle Parse(Stream stream, string what)
    {
        try
        {
            return new PgpPublicKeyRingBundle(PgpUtilities.GetDecoderStream(stream));
        }
        catch (Exception e) when (e is PgpException or IOException or ArgumentException)
        {
            throw new TfMfaException($"{what} is not an OpenPGP public key ({e.Message}); paste an ASCII-armored public key block", e);
        }
    }

    /// <summary>Whether <paramref name="signature"/> (binary or armored, detached) is a valid signature of <paramref name="data"/> by one of these keys.</summary>
    public bool Signed(byte[] data, byte[] signature)
    {
        try
        {
            var factory = new PgpObjectFactory(PgpUtilities.GetDecoderStream(new MemoryStream(signature)));
            var item = factory.NextPgpObject();
            if (item is PgpCompressedData compressed) item = new PgpObjectFactory(compressed.GetDataStream()).NextPgpObject();
            if (item is not PgpSignatureList { Count: > 0 } list) return false;
            for (var i = 0; i < list.Count; i++)
            {
                var candidate = list[i];
                var key = _keys.GetPublicKey(candidate.KeyId);
                if (key is null) continue;
                candidate.InitVerify(key);
                candidate.Update(data);
                if (candidate.Verify()) return true;
            }
            return false;
        }
        catch (Exception e) when (e is PgpException or IOException or ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    private static string Group(string hex) => string.Join(' ', Enumerable.Range(0, hex.Length / 4).Select(i => hex.Substring(i * 4, 4)));
}
