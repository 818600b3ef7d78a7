// Jest transform: TypeScript to CommonJS with esbuild, already a dependency for the Lambda bundles.
// Type-checking is tsc's job (`npm test` runs `tsc --noEmit` first). @swc/jest was dropped because
// the npm registry mirror used here lacks some of @swc/core's platform binaries, which made
// `npm ci` refuse the lock file on a fresh machine.
const { createHash } = require('node:crypto');
const esbuild = require('esbuild');

module.exports = {
  process(sourceText, sourcePath) {
    const { code, map } = esbuild.transformSync(sourceText, {
      loader: sourcePath.endsWith('.js') ? 'js' : 'ts',
      format: 'cjs',
      target: 'node20',
      sourcemap: 'external',
      sourcefile: sourcePath,
    });
    return { code, map };
  },
  getCacheKey(sourceText, sourcePath) {
    return createHash('sha256').update(esbuild.version).update(sourcePath).update(sourceText).digest('hex');
  },
};
