// Runs before `npm install` and `npm test` (package.json preinstall/pretest), on whatever Node the
// machine has: plain JavaScript that any Node can parse. Says in one line what is missing and how to
// get it, instead of a failure from deep inside a dependency.
const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(
    `aws-ask needs Node.js 22.12 or newer; this is ${process.version}. Install it (e.g. \`nvm install 22\`), ` +
      'or without root: `npm install --prefix .tools/node node@22 && ' +
      'export PATH="$PWD/.tools/node/node_modules/node/bin:$PATH"`\n',
  );
  process.exit(1);
}
