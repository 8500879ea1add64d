// The README's main job. Until the CLI lands this runs the spec layer for real: it builds an
// artifact manifest for the files named on the command line (or this script) and prints its digest.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Annotation, EMPTY_DESCRIPTOR, MediaType, digestOf } from '@oras/spec';

const files = process.argv.length > 2 ? process.argv.slice(2) : [fileURLToPath(import.meta.url)];
const layers = files.map((file) => {
  const bytes = readFileSync(file);
  return {
    mediaType: MediaType.ImageLayer,
    digest: digestOf(bytes),
    size: bytes.byteLength,
    annotations: { [Annotation.Title]: file.split('/').pop() },
  };
});
const manifest = {
  schemaVersion: 2,
  mediaType: MediaType.ImageManifest,
  artifactType: 'application/vnd.oras.demo',
  config: EMPTY_DESCRIPTOR,
  layers,
};
const bytes = JSON.stringify(manifest);
console.log(bytes);
console.log(`Digest: ${digestOf(bytes)}`);
