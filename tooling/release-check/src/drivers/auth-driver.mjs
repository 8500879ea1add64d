// Runs the @oras/auth README example: node auth-driver.mjs <https://host:port> <repository> <user> <password>
// (the example's config file is $DOCKER_CONFIG/config.json)
// Copied next to auth-example.mjs (the README's first ts block) in the user's project. The TLS
// registry's CA comes from NODE_EXTRA_CA_CERTS, the credential store from DOCKER_CONFIG.
import { join } from 'node:path';
import { AuthClient, staticCredential } from '@oras/auth';
import { PackManifestVersion, packManifest } from '@oras/content';
import { RemoteRepository } from '@oras/registry';
import { listTags } from './auth-example.mjs';

if (typeof listTags !== 'function') {
  throw new Error(
    'the @oras/auth README example no longer exports listTags(registry, repository, username, password, configPath)',
  );
}
const [url, repository, username, password] = process.argv.slice(2);
const host = new URL(url).host;

// Something to list: an empty artifact tagged v1, pushed by the same user.
const client = new AuthClient({ credential: staticCredential(host, { username, password }) });
const repo = new RemoteRepository({ reference: `${host}/${repository}`, client, plainHttp: false });
const manifest = await packManifest(
  repo,
  PackManifestVersion.V1_1,
  'application/vnd.example.release-check',
  {},
);
await repo.tag(manifest, 'v1');

// The example keeps the credential in the config file it is given: the project's own DOCKER_CONFIG.
const configPath = join(process.env.DOCKER_CONFIG ?? process.cwd(), 'config.json');
process.stdout.write(JSON.stringify(await listTags(url, repository, username, password, configPath)));
