// Runs before `npm install`, `npm test` and the commands that run TypeScript (package.json pre-scripts),
// on whatever Node the machine has: plain JavaScript that any Node can parse. Says in one line what is
// missing and how to get it, instead of a failure from deep inside a dependency.
//
// 22.18 is the first Node 22 that runs .ts files without a flag (type stripping on by default; 23.6 on
// the 23 line); every command here (`node infra/app.ts`, `node doctor/cli.ts`, …) relies on it.
const MIN = [22, 18];
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
const tooOld = major < MIN[0] || (major === MIN[0] && minor < MIN[1]) || (major === 23 && minor < 6);
if (tooOld) {
  process.stderr.write(
    `aws-ask needs Node.js ${MIN.join('.')} or newer; this is ${process.version}. ` +
      'Install it (e.g. `nvm install 22`), ' +
      'or without root: `npm install --prefix .tools/node node@22 && ' +
      'export PATH="$PWD/.tools/node/node_modules/node/bin:$PATH"`\n',
  );
  process.exit(1);
}
