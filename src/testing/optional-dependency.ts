import { createRequire } from 'node:module';
import { KinesisActorsError } from '../errors.ts';

const require = createRequire(import.meta.url);

/**
 * The embedded emulators are optional peer dependencies: an application that only talks to AWS
 * never installs them. Loads one through `load`, or fails with a `MISSING_DEPENDENCY` error
 * whose message ends with the command that installs what is missing.
 * @internal
 */
export function loadOptional<T>(name: string, neededFor: string, install: readonly string[], load: (r: NodeJS.Require) => T): T {
  try {
    return load(require);
  } catch (error) {
    const message = String((error as Error).message);
    const missing = (error as NodeJS.ErrnoException).code === 'MODULE_NOT_FOUND' && (message.includes(`'${name}'`) || message.includes(`'${name}/`));
    if (!missing) throw error;
    throw new KinesisActorsError('MISSING_DEPENDENCY', `${neededFor} needs the ${name} package: npm install -D ${install.join(' ')}`, { cause: error });
  }
}
