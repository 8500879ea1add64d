import { createHash } from 'node:crypto';
import { RemoteRepository } from '@oras/registry';

const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const encode = (text: string) => new TextEncoder().encode(text);
const sha256 = (bytes: Uint8Array) => `sha256:${createHash('sha256').update(bytes).digest('hex')}`;

/** Pushes a one-file artifact as `<repository>:v1`, then pulls the file back by the tag. */
export async function pushAndPull(repository: string, text: string): Promise<string> {
  // e.g. 'localhost:5000/hello'; plain HTTP is the default for localhost only
  const repo = new RemoteRepository({ reference: repository });

  // the blobs: one file, and the empty config that artifact manifests point at
  const file = encode(text);
  const layer = {
    mediaType: 'text/plain',
    digest: sha256(file),
    size: file.byteLength,
    annotations: { 'org.opencontainers.image.title': 'hello.txt' },
  };
  const config = encode('{}');
  const empty = { mediaType: 'application/vnd.oci.empty.v1+json', digest: sha256(config), size: 2 };
  await repo.push(layer, file); // skipped when the registry already has it
  await repo.push(empty, config);

  // the manifest, pushed and tagged in one request
  const manifest = encode(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST,
      artifactType: 'application/vnd.example.hello.v1',
      config: empty,
      layers: [layer],
    }),
  );
  await repo.pushReference(
    { mediaType: MANIFEST, digest: sha256(manifest), size: manifest.byteLength },
    manifest,
    'v1',
  );

  // pull: the manifest by tag, then the layer, verified (size and digest) as it streams
  const { stream } = await repo.fetchReference('v1');
  const pulled = JSON.parse(await new Response(stream).text()) as { layers: (typeof layer)[] };
  return new Response(await repo.fetch(pulled.layers[0]!)).text();
}
