import { configFileFromEnv, loadConfig } from './lib/config/load';
import { ConfigError } from './lib/config/problems';
import { writeReview } from './cli/review/review';
import { skipTokenCreationStacks } from './lib/token-stacks';
import { buildApp } from './stacks/app';

skipTokenCreationStacks();

// Validate everything before the app exists, so bad input never leaves a half-written cdktf.out.
try {
  const config = loadConfig(configFileFromEnv());
  const app = buildApp(config);
  app.synth();
  writeReview(config, app);
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  console.error(error.message);
  process.exitCode = 1;
}
