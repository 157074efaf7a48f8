/** Whether a module is the one `node <file>` started, so a module can be both a library and a command. */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/** True in the module that `node <file>` started. */
export function isMain(moduleUrl: string): boolean {
  return process.argv[1] !== undefined && moduleUrl === pathToFileURL(realpathSync(process.argv[1])).href;
}
