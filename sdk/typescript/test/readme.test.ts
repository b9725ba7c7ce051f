// The README's TypeScript blocks compile against the built package, each as a
// module of its own, so that the examples people copy stay true.
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { test } from "node:test";
import ts from "typescript";

const root = new URL("../../", import.meta.url); // build/test/ → the package
const readme = readFileSync(new URL("README.md", root), "utf8");

test("every ts block of the README type-checks", () => {
  const blocks = [...readme.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
  assert.ok(blocks.length >= 5, `found ${blocks.length} ts blocks`);
  const dir = new URL("build/readme/", root);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const files = blocks.map((code, i) => {
    const file = fileURLToPath(new URL(`block${i + 1}.ts`, dir));
    writeFileSync(file, `${code}\nexport {};\n`);
    return file;
  });
  const config = ts.getParsedCommandLineOfConfigFile(fileURLToPath(new URL("tsconfig.json", root)), {}, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(ts.flattenDiagnosticMessageText(d.messageText, "\n")),
  });
  const program = ts.createProgram(files, { ...config!.options, noEmit: true, rootDir: undefined, outDir: undefined, noUnusedLocals: false });
  const problems = ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${d.file.fileName.split("/").pop()}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}` : "";
    return `${where} ${ts.flattenDiagnosticMessageText(d.messageText, "\n")}`;
  });
  assert.deepEqual(problems, []);
});
