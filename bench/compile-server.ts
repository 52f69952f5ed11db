/**
 * Compiles the benchmark's server child (bench/server.ts and what it imports from bench/) to plain
 * JavaScript in .bench-build/, so each server runs on `node` alone, as `npm start` does; the
 * product itself comes from dist/ (see product.ts). Type checking is `npm run typecheck`'s job.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const SERVER_BUILD_DIR = path.join(HERE, '..', '.bench-build');
const FILES = ['server.ts', 'authflow-target.ts', 'bare-target.ts', 'protocol.ts', 'product.ts'];

mkdirSync(SERVER_BUILD_DIR, { recursive: true });
for (const file of FILES) {
  const source = readFileSync(path.join(HERE, file), 'utf8');
  const { outputText } = ts.transpileModule(source, {
    fileName: file,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2023, isolatedModules: true },
  });
  writeFileSync(path.join(SERVER_BUILD_DIR, file.replace(/\.ts$/, '.js')), outputText);
}
