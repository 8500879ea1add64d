import { Annotation, parseManifest } from '@oras/spec';
import { PackManifestVersion, fetchAll, packManifest, pushBytes } from '@oras/content';
import { RemoteRepository } from '@oras/registry';

/** Pushes a one-file artifact as `<repository>:v1`, then pulls the file back by the tag. */
export async function pushAndPull(repository: string, text: string): Promise<string> {
  // e.g. 'localhost:5000/hello'; plain HTTP is the default for localhost only
  const repo = new RemoteRepository({ reference: repository });

  // the file, a layer with a name (the push is skipped when the registry already has it)
  const file = await pushBytes(repo, 'text/plain', new TextEncoder().encode(text));
  const layer = { ...file, annotations: { [Annotation.Title]: 'hello.txt' } };

  // the manifest (image manifest v1.1 with the empty config, both pushed), then its tag
  const manifest = await packManifest(repo, PackManifestVersion.V1_1, 'application/vnd.example.hello.v1', {
    layers: [layer],
  });
  await repo.tag(manifest, 'v1');

  // pull: the manifest by tag (parsed and validated), then the layer, verified as it streams
  const { stream } = await repo.fetchReference('v1');
  const pulled = parseManifest(new Uint8Array(await new Response(stream).arrayBuffer()));
  const [first] = pulled.layers;
  if (first === undefined) throw new Error(`${repository}:v1 has no layers`);
  return new TextDecoder().decode(await fetchAll(repo, first));
}
