// Writes src/metadata.ts: what the @nestjs/swagger CLI plugin would compile in (DTO properties from their types,
// class-validator rules and doc comments; controller return types), as a plain file, so tsc, swc (jest) and the
// built service all load the same metadata. `node scripts/openapi-metadata.mjs [outputDir]`.
import { PluginMetadataGenerator } from '@nestjs/cli/lib/compiler/plugins/plugin-metadata-generator.js';
import { ReadonlyVisitor } from '@nestjs/swagger/plugin';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..');
// The API's models: DTOs, and the domain types controllers return as they are (classes, so the plugin sees them).
export const MODEL_FILE_SUFFIXES = ['.dto.ts', '.query.ts'];

new PluginMetadataGenerator().generate({
  visitors: [
    new ReadonlyVisitor({
      pathToSource: path.join(root, 'src'),
      introspectComments: true,
      classValidatorShim: true,
      dtoFileNameSuffix: MODEL_FILE_SUFFIXES,
      controllerFileNameSuffix: ['.controller.ts'],
    }),
  ],
  outputDir: path.resolve(process.argv[2] ?? path.join(root, 'src')),
  filename: 'metadata.ts',
  tsconfigPath: 'tsconfig.build.json',
  printDiagnostics: false,
});
