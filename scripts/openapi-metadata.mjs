// Writes src/metadata.ts: what the @nestjs/swagger CLI plugin would compile in (DTO properties from their types,
// class-validator rules and doc comments; controller return types), as a plain file, so tsc, swc (jest) and the
// built service all load the same metadata. `node scripts/openapi-metadata.mjs [outputDir]` (default: src).
import { PluginMetadataGenerator } from '@nestjs/cli/lib/compiler/plugins/plugin-metadata-generator.js';
import { ReadonlyVisitor } from '@nestjs/swagger/plugin';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import prettier from 'prettier';
import ts from 'typescript';

const root = path.resolve(import.meta.dirname, '..');
const outputDir = path.resolve(process.argv[2] ?? path.join(root, 'src'));
const output = path.join(outputDir, 'metadata.ts');
// The generator reads tsconfigPath relative to the working directory.
process.chdir(root);

new PluginMetadataGenerator().generate({
  visitors: [
    new ReadonlyVisitor({
      pathToSource: path.join(root, 'src'),
      introspectComments: true,
      classValidatorShim: true,
      // The API's models: request DTOs and query classes, and the response DTOs beside them.
      dtoFileNameSuffix: ['.dto.ts', '.query.ts'],
      controllerFileNameSuffix: ['.controller.ts'],
    }),
  ],
  outputDir,
  filename: 'metadata.ts',
  tsconfigPath: 'tsconfig.build.json',
  printDiagnostics: false,
});

// Doc comments become long string literals: split them at spaces so every line stays within 140 columns.
const source = ts.createSourceFile(output, readFileSync(output, 'utf8'), ts.ScriptTarget.Latest, true);
const longStrings = [];
source.forEachChild(function visit(node) {
  if (ts.isStringLiteral(node) && node.text.length > 100) longStrings.push(node);
  node.forEachChild(visit);
});
let text = source.text;
for (const node of longStrings.reverse()) {
  const parts = node.text.match(/.{1,90}(?: |$)|.{1,90}/gs).map((part) => JSON.stringify(part));
  text = text.slice(0, node.getStart(source)) + parts.join(' + ') + text.slice(node.getEnd());
}
const options = await prettier.resolveConfig(path.join(root, 'src', 'metadata.ts'));
writeFileSync(output, await prettier.format(text, { ...options, filepath: output }));
