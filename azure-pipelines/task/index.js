'use strict';
// The TfMfa task's handler: start the bundled self-contained tfmfa for this agent's platform with
// the environment the agent gave us, forward SIGINT/SIGTERM so terraform can release its state
// lock, and report failure with a logging command. Node built-ins only: azure-pipelines-task-lib
// deletes INPUT_* and ENDPOINT_AUTH_* from the environment when it loads, and tfmfa needs them.
// Secrets never go on the command line: tfmfa reads everything from the environment.
const { spawn } = require('child_process');
const fs = require('fs');
const path = require('path');

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

function binaryFor(platform, arch, root) {
  const entry = BINARIES[`${platform}-${arch}`];
  if (!entry) return null;
  return path.join(root, 'bin', entry[0], entry[1]);
}

function run() {
  const binary = binaryFor(process.platform, process.arch, __dirname);
  if (!binary) {
    fail(`TfMfa has no build for this agent (${process.platform}-${process.arch}); it runs on ${Object.keys(BINARIES).join(', ')} agents.`);
    return;
  }
  if (!fs.existsSync(binary)) {
    fail(`The TfMfa task is missing its ${path.basename(path.dirname(binary))} binary (${binary}); reinstall the extension.`);
    return;
  }
  if (process.platform !== 'win32') {
    // A .vsix does not keep the executable bit.
    try { fs.chmodSync(binary, 0o755); } catch (e) { /* read-only task folder: try to start it anyway */ }
  }

  const child = spawn(binary, [], { stdio: 'inherit', env: process.env, windowsHide: true });
  const forward = (signal) => () => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  process.on('SIGINT', forward('SIGINT'));
  process.on('SIGTERM', forward('SIGTERM'));
  child.on('error', (e) => fail(`Could not start ${binary}: ${e.message}`));
  child.on('exit', (code, signal) => {
    if (code === 0) {
      process.exitCode = 0;
      return;
    }
    fail(signal ? `tfmfa was stopped by ${signal}.` : `tfmfa failed (exit code ${code}); the errors above say why.`);
  });
}

module.exports = { binaryFor, escapeMessage, BINARIES };
if (require.main === module) run();
