'use strict';
// The TfMfa task's handler: unpack the bundled self-contained tfmfa for this agent's platform, start
// it with the environment the agent gave us, forward SIGINT/SIGTERM so terraform can release its
// state lock, and report failure with a logging command. Node built-ins only: azure-pipelines-task-lib
// deletes INPUT_* and ENDPOINT_AUTH_* from the environment when it loads, and tfmfa needs them.
// Secrets never go on the command line: tfmfa reads everything from the environment.
//
// The .vsix holds each binary brotli-compressed (bin/<rid>/tfmfa.br, tfmfa.exe.br on Windows; about 7 MB
// where the zip's deflate left 9) beside the SHA-256 of the binary itself (tfmfa.sha256, tfmfa.exe.sha256),
// which catches a damaged download or a bad build; it cannot stop whoever can rewrite this folder.
// It is unpacked at every run into a private directory of its own under the agent's temp directory
// (emptied after each job), checked against the hash, and removed when tfmfa exits, so no copy outlives
// its job. That is not a wall against plan-time code run as the agent's user: it can rewrite this folder
// itself. The walls there are a root agent (terraform then runs as another uid) or a one-job agent.
const { spawn } = require('child_process');
const crypto = require('crypto');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { Transform } = require('stream');
const { pipeline } = require('stream/promises');
const zlib = require('zlib');

const BINARIES = {
  'linux-x64': ['linux-x64', 'tfmfa'],
  'linux-arm64': ['linux-arm64', 'tfmfa'],
  'win32-x64': ['win-x64', 'tfmfa.exe'],
  'darwin-arm64': ['osx-arm64', 'tfmfa'],
};

function escapeMessage(text) {
  return String(text).replace(/%/g, '%AZP25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

// The agent treats a non-zero Node exit as an infrastructure failure; a failed task says so itself.
function fail(message) {
  process.stdout.write(`##vso[task.logissue type=error]${escapeMessage(message)}\n`);
  process.stdout.write(`##vso[task.complete result=Failed;]${escapeMessage(message)}\n`);
  process.exitCode = 0;
}

/** The compressed binary for a platform (its SHA-256 is beside it, see hashFileFor), or null if there is no build. */
function binaryFor(platform, arch, root) {
  const entry = BINARIES[`${platform}-${arch}`];
  if (!entry) return null;
  return path.join(root, 'bin', entry[0], `${entry[1]}.br`);
}

const hashFileFor = (packed) => packed.replace(/\.br$/, '.sha256');

/** A package error: the .vsix's file is missing or is not what was built, so the fix is to reinstall. */
class DamagedPackage extends Error {}

/**
 * Decompresses `packed` into `directory` as an executable only its owner can touch, hashing as it streams,
 * and returns the new file's path once its SHA-256 matches the one packaged with it.
 */
async function unpack(packed, directory) {
  const hashFile = hashFileFor(packed);
  let expected;
  try {
    expected = fs.readFileSync(hashFile, 'utf8').trim().toLowerCase();
  } catch (e) {
    throw new DamagedPackage(`its checksum ${path.basename(hashFile)} cannot be read (${e.code || e.message})`);
  }
  if (!/^[0-9a-f]{64}$/.test(expected)) throw new DamagedPackage(`its checksum ${path.basename(hashFile)} is not a SHA-256`);

  const target = path.join(directory, path.basename(packed, '.br'));
  // 256 kB chunks: unpacking linux-x64 took 350 ms in the default 16 kB ones, 185 ms in these, for the same peak memory.
  const source = fs.createReadStream(packed, { highWaterMark: 1 << 18 });
  const decompress = zlib.createBrotliDecompress({ chunkSize: 1 << 18 });
  const hash = crypto.createHash('sha256');
  const hashing = new Transform({
    transform(chunk, encoding, done) { hash.update(chunk); done(null, chunk); },
  });
  // Which stage failed decides the advice: the package's bytes (reinstall) or the disk we write to.
  // A failed write (a full disk, a file size limit) makes pipeline destroy the stages before it with the same
  // error, so the writer's error is kept first: it is the disk, not the package.
  let damage = null;
  let writeError = null;
  source.on('error', (e) => { damage = damage || `it cannot be read (${e.code || e.message})`; });
  decompress.on('error', (e) => { damage = damage || `it does not decompress (${e.message})`; });
  // 'wx': a file already there (or a link planted in its place) is an error, never followed or reused.
  const target$ = fs.createWriteStream(target, { flags: 'wx', mode: 0o700 });
  target$.on('error', (e) => { writeError = writeError || e; });
  try {
    await pipeline(source, decompress, hashing, target$);
  } catch (e) {
    if (writeError) throw writeError;
    throw damage ? new DamagedPackage(damage) : e;
  }
  if (hash.digest('hex') !== expected) throw new DamagedPackage(`it does not match its checksum ${path.basename(hashFile)}`);
  return target;
}

/** Under the agent's temp directory, which it empties after every job: even what a killed run leaves goes. */
function privateDirectory() {
  const parent = process.env.AGENT_TEMPDIRECTORY || os.tmpdir();
  // mkdtemp creates it 0700: nobody but the agent's user can enter it or put a file there.
  return fs.mkdtempSync(path.join(parent, 'tfmfa-'));
}

function remove(directory) {
  // Windows may hold the .exe a moment after it exits.
  try { fs.rmSync(directory, { recursive: true, force: true, maxRetries: 5 }); } catch (e) { /* the agent cleans its temp directory */ }
}

async function run() {
  const packed = binaryFor(process.platform, process.arch, __dirname);
  if (!packed) {
    fail(`TfMfa has no build for this agent (${process.platform}-${process.arch}); it runs on ${Object.keys(BINARIES).join(', ')} agents.`);
    return;
  }
  const rid = path.basename(path.dirname(packed));
  if (!fs.existsSync(packed)) {
    fail(`The TfMfa task is missing its ${rid} binary (${packed}); reinstall the extension.`);
    return;
  }

  // A signal while unpacking (before there is a child to pass it to) ends the task as stopped, and tidily.
  let child = null;
  let stoppedBy = null;
  const onSignal = (signal) => () => {
    if (child === null) {
      stoppedBy = signal;
      return;
    }
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  process.on('SIGINT', onSignal('SIGINT'));
  process.on('SIGTERM', onSignal('SIGTERM'));

  let directory;
  let binary;
  try {
    directory = privateDirectory();
    process.on('exit', () => remove(directory));
    binary = await unpack(packed, directory);
  } catch (e) {
    if (directory) remove(directory);
    fail(e instanceof DamagedPackage
      ? `The TfMfa task's ${rid} binary (${packed}) is damaged: ${e.message}; reinstall the extension.`
      : `Could not unpack the TfMfa task's ${rid} binary (${packed}) into ${directory || process.env.AGENT_TEMPDIRECTORY || os.tmpdir()}: ${e.message}`);
    return;
  }

  // The image's GC setting (Dockerfile: a 4 MiB first-generation budget, about 3 MB less at the peak of a run;
  // docs/performance.md, section 5), unless the pipeline sets its own. The runtime reads it from the environment only.
  // And never a diagnostics port: on a non-root agent terraform runs as tfmfa's user, and the runtime's port answers
  // that user with tfmfa's environment, the AWS key included (tfmfa removes the port itself too). No pipeline may undo it.
  const env = { DOTNET_GCgen0size: '0x400000', ...process.env, DOTNET_EnableDiagnostics: '0' };
  if (stoppedBy) {
    remove(directory);
    fail(`The TfMfa task was stopped by ${stoppedBy} before tfmfa started.`);
    return;
  }
  child = spawn(binary, [], { stdio: 'inherit', env, windowsHide: true });
  child.on('error', (e) => {
    remove(directory);
    // Unpacked under the agent's temp directory, the binary now needs a file system that allows executing it.
    const hint = e.code === 'EACCES' ? ` (is ${path.dirname(directory)} on a file system mounted noexec?)` : '';
    fail(`Could not start ${binary}: ${e.message}${hint}`);
  });
  child.on('exit', (code, signal) => {
    remove(directory);
    if (code === 0) {
      process.exitCode = 0;
      return;
    }
    fail(signal ? `tfmfa was stopped by ${signal}.` : `tfmfa failed (exit code ${code}); the errors above say why.`);
  });
}

module.exports = { binaryFor, hashFileFor, unpack, escapeMessage, BINARIES };
// Whatever goes wrong unforeseen still ends as a failed task, never as a crashed handler (an infrastructure failure to the agent).
if (require.main === module) run().catch((e) => fail(`The TfMfa task failed unexpectedly: ${e && e.message ? e.message : e}`));
