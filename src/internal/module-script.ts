/** A module of the package as a new worker thread or child process loads it. @internal */
export interface ModuleScript {
  url: URL;
  execArgv: string[];
}

/**
 * Finds a module of the package relative to the calling one (`import.meta.url`), given without
 * its extension. Installed, the package is compiled JavaScript in `dist/` and the module is a
 * `.js` file that loads as it is. In this repository the tests, examples and benchmarks run the
 * TypeScript sources; a new thread or process then loads the `.ts` file through tsx, a
 * development dependency.
 * @internal
 */
export function moduleScript(relative: string, base: string): ModuleScript {
  const fromSources = base.endsWith('.ts');
  return {
    url: new URL(`${relative}${fromSources ? '.ts' : '.js'}`, base),
    execArgv: fromSources ? ['--import', 'tsx'] : [],
  };
}
