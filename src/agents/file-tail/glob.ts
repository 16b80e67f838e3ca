import { readdir } from 'node:fs/promises';
import path from 'node:path';

/**
 * A file pattern split into a literal directory and a last segment that may hold `*` (any run
 * of characters but '/') and `?` (one character). Wildcards in directories are not supported.
 * @internal
 */
export interface FilePattern {
  /** The pattern as given. */
  source: string;
  /** Absolute directory the files live in. */
  directory: string;
  /** Matches a file name (the last path segment). */
  matches(name: string): boolean;
}

/** Whether a pattern has wildcards only where they are supported (the last segment). @internal */
export function checkPattern(pattern: string): string | undefined {
  if (pattern.length === 0) return 'must not be empty';
  const directory = path.dirname(pattern);
  if (/[*?]/.test(directory)) return 'may use * and ? only in the file name, not in directories';
  if (path.basename(pattern).length === 0 || pattern.endsWith('/')) return 'must name files, not a directory';
  return undefined;
}

/** Compiles one pattern, relative ones against `cwd`. @internal */
export function compilePattern(pattern: string, cwd = process.cwd()): FilePattern {
  const absolute = path.resolve(cwd, pattern);
  const name = path.basename(absolute);
  const source = name.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*').replace(/\?/g, '[^/]');
  const regex = new RegExp(`^${source}$`);
  return { source: pattern, directory: path.dirname(absolute), matches: (candidate) => regex.test(candidate) };
}

/**
 * Every directory entry matching one of the patterns, as absolute paths, sorted and without
 * duplicates. A missing directory matches nothing (files may appear later). `others` receives
 * the entries of the same directories that matched no pattern, to find renamed files by inode.
 * @internal
 */
export async function matchFiles(patterns: readonly FilePattern[], others?: Set<string>): Promise<string[]> {
  const byDirectory = new Map<string, FilePattern[]>();
  for (const pattern of patterns) byDirectory.set(pattern.directory, [...(byDirectory.get(pattern.directory) ?? []), pattern]);
  const matched = new Set<string>();
  for (const [directory, group] of byDirectory) {
    let names: string[];
    try {
      names = await readdir(directory);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw error;
    }
    for (const name of names) {
      const full = path.join(directory, name);
      if (group.some((p) => p.matches(name))) matched.add(full);
      else others?.add(full);
    }
  }
  return [...matched].sort();
}
