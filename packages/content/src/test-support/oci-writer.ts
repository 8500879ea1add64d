// A child process for the two-writer test: pushes `count` manifests into the layout at `root`,
// tagging each `<prefix>-<n>`, then exits. Test support only.
import { MediaType } from '@oras/spec';
import { pushBytes } from '../stream.js';
import { OciLayoutStore } from '../oci/store.js';

const [root, prefix, countText] = process.argv.slice(2);
const count = Number(countText);
const store = await OciLayoutStore.open(root!);
const encoder = new TextEncoder();
for (let i = 0; i < count; i++) {
  const layer = await pushBytes(store, 'application/vnd.test.layer', encoder.encode(`${prefix} layer ${i}`));
  const config = await pushBytes(
    store,
    'application/vnd.test.config',
    encoder.encode(`{"p":"${prefix}","i":${i}}`),
  );
  const manifest = encoder.encode(
    JSON.stringify({ schemaVersion: 2, mediaType: MediaType.ImageManifest, config, layers: [layer] }),
  );
  const desc = await pushBytes(store, MediaType.ImageManifest, manifest);
  if (i % 2 === 0) await store.tag(desc, `${prefix}-${i}`);
}
