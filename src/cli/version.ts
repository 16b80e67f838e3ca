import { createRequire } from 'node:module';

/** The version of this kinesis-actors, from its own package.json. */
export function packageVersion(): string {
  // A self-reference (package.json `exports` lists ./package.json) resolves from src/ under tsx
  // and from the compiled dist/ alike; a relative path would differ between the two.
  const manifest = createRequire(import.meta.url)('kinesis-actors/package.json') as { version: string };
  return manifest.version;
}
