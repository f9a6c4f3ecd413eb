'use strict';
// Packs one task binary as the shim (task/index.js) unpacks it: <binary>.br, brotli at quality 11 with a
// 16 MB window (about 7 MB per platform where the .vsix's deflate leaves 9), and <binary>.sha256, the
// SHA-256 of the binary itself, which the shim checks before it starts what it unpacked. The binary goes.
// Usage: node pack-binary.js <binary>   (build-vsix runs one per platform, side by side)
const crypto = require('crypto');
const fs = require('fs');
const { promisify } = require('util');
const zlib = require('zlib');

async function pack(binary) {
  const bytes = fs.readFileSync(binary);
  const sha256 = crypto.createHash('sha256').update(bytes).digest('hex');
  const started = process.hrtime.bigint();
  const packed = await promisify(zlib.brotliCompress)(bytes, {
    params: {
      [zlib.constants.BROTLI_PARAM_MODE]: zlib.constants.BROTLI_MODE_GENERIC,
      [zlib.constants.BROTLI_PARAM_QUALITY]: 11,
      [zlib.constants.BROTLI_PARAM_LGWIN]: 24,
      [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
    },
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  // What the agent will unpack must be what was built.
  const back = await promisify(zlib.brotliDecompress)(packed);
  if (crypto.createHash('sha256').update(back).digest('hex') !== sha256) throw new Error(`${binary}: brotli round trip differs`);
  fs.writeFileSync(`${binary}.br`, packed);
  fs.writeFileSync(`${binary}.sha256`, `${sha256}\n`);
  fs.unlinkSync(binary);
  console.error(`${binary}: ${bytes.length} bytes -> ${packed.length} bytes brotli in ${seconds.toFixed(1)} s`);
}

pack(process.argv[2]).catch((e) => {
  console.error(e.message);
  process.exit(1);
});
