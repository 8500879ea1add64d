/**
 * The "ORAS Go Module Example" of the oras v0.9 README (its `main.go`), in TypeScript with our
 * packages, line for line: push a file from a memory store with a custom media type, then pull the
 * files of that media type into a file store. `library-example.test.ts` runs it against a registry.
 *
 * Go's `oras.Push(ctx, resolver, ref, memoryStore, pushContents)` is `packManifest` (an image
 * manifest with the `{}` config of v0.9) and `copy` to the repository; `oras.Pull(..., fileStore,
 * oras.WithAllowedMediaTypes(...))` is `copy` to a file store that follows only the layers of the
 * allowed media types.
 */
import { copy, PackManifestVersion, packManifest, pushBytes, successors } from '@oras/content';
import { FileStore } from '@oras/content/file';
import { MemoryStore } from '@oras/content/memory';
import { RemoteRepository } from '@oras/registry';
import { Annotation, type Descriptor, parseReference } from '@oras/spec';

/** Runs the example on `ref`, printing what `main.go` prints, with the pulled file in `workingDir`. */
export async function main(
  ref = 'localhost:5000/oras:test',
  print: (line: string) => void = console.log,
  workingDir = process.cwd(),
): Promise<void> {
  const fileName = 'hello.txt';
  const fileContent = new TextEncoder().encode('Hello World!\n');
  const customMediaType = 'my.custom.media.type';

  const tag = parseReference(ref).tag ?? 'latest';
  const repository = new RemoteRepository({ reference: ref });

  // Push file(s) w custom mediatype to registry
  const memoryStore = new MemoryStore();
  const added = await pushBytes(memoryStore, customMediaType, fileContent);
  const desc: Descriptor = { ...added, annotations: { [Annotation.Title]: fileName } };
  const pushContents = [desc];
  print(`Pushing ${fileName} to ${ref}...`);
  const manifest = await packManifest(memoryStore, PackManifestVersion.V1_0, '', { layers: pushContents });
  await memoryStore.tag(manifest, tag);
  const pushed = await copy(memoryStore, tag, repository, tag);
  print(`Pushed to ${ref} with digest ${pushed.digest}`);

  // Pull file(s) from registry and save to disk
  print(`Pulling from ${ref} and saving to ${fileName}...`);
  const fileStore = new FileStore(workingDir);
  try {
    const allowedMediaTypes = [customMediaType];
    const pulled = await copy(repository, tag, fileStore, tag, {
      findSuccessors: async (fetcher, node) =>
        (await successors(fetcher, node)).filter((d) => allowedMediaTypes.includes(d.mediaType)),
    });
    print(`Pulled from ${ref} with digest ${pulled.digest}`);
    print(`Try running 'cat ${fileName}'`);
  } finally {
    await fileStore.close();
  }
}
