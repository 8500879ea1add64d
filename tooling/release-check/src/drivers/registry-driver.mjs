// Runs the @oras/registry README example: node registry-driver.mjs <registry/repository> <text>
// Copied next to registry-example.mjs (the README's first ts block) in the user's project.
import { pushAndPull } from './registry-example.mjs';

if (typeof pushAndPull !== 'function') {
  throw new Error('the @oras/registry README example no longer exports pushAndPull(repository, text)');
}
process.stdout.write(await pushAndPull(process.argv[2], process.argv[3]));
