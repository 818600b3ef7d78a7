import { configFileFromEnv, loadConfig } from './lib/config/load';
import { ConfigError } from './lib/problems';
import { configurationLine } from './cli/common/command';
import { writeReview } from './cli/review/review';
import { removeSynthOutput, synthOutdir } from './lib/terraform/synth-output';
import { skipTokenCreationStacks } from './lib/terraform/token-stacks';
import { buildApp } from './stacks/app';

skipTokenCreationStacks();

// Nothing of an earlier synth may outlive this one if it fails; the configuration is validated
// before the app exists, so bad input writes nothing at all.
const outdir = synthOutdir();
removeSynthOutput(outdir);
// Which configuration this synth is of, first: the output says nothing of it otherwise.
console.error(configurationLine(process.env));
try {
  const config = loadConfig(configFileFromEnv());
  const app = buildApp(config, { outdir });
  app.synth();
  writeReview(config, app);
  console.log(`${Object.keys(app.manifest.stacks).length} stacks synthesized into ${app.outdir}; what each does: ${app.outdir}/review.md`);
} catch (error) {
  removeSynthOutput(outdir);
  if (!(error instanceof ConfigError)) throw error;
  // The whole report, once, on stderr: `npm run synth` runs this directly (see package.json).
  console.error(error.message);
  process.exitCode = 1;
}
