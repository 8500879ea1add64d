/**
 * The flow `oras blob delete` and `oras manifest delete` share: resolve, say "Missing" (with
 * `--force`) or fail when absent, ask `[y/N]` unless `--force`, delete, then print "Deleted" or
 * the descriptor (`--descriptor`, which needs `--force`).
 */
import { stat } from 'node:fs/promises';
import type { Deleter, Resolver } from '@oras/content';
import { OciLayoutStore } from '@oras/content/oci';
import { type Descriptor, NotFoundError } from '@oras/spec';
import type { CliContext } from './context.js';
import { withDockerHubHint } from './docker-hub.js';
import { CliError } from './errors.js';
import { writeDescriptor } from './json.js';
import type { DeleteOptions } from './options/confirmation.js';
import { annotatedReference, type LayoutTargetSpec, type TargetSpec } from './options/target.js';
import { confirm } from './prompt.js';

/** What to delete, and how to speak of it. */
export interface DeleteRequest {
  /** The blob or manifest store of the repository, or the OCI image layout. */
  readonly store: Resolver & Deleter;
  /** The tag or digest to resolve in it. */
  readonly reference: string;
  /** The parsed target argument. */
  readonly spec: TargetSpec;
  /** `blob` or `manifest`, for the not-found message. */
  readonly noun: string;
  /** The `[y/N]` question for the resolved descriptor. */
  readonly question: (desc: Descriptor) => string;
  /** The command line for the Docker Hub hint (`oras blob delete`). */
  readonly command: string;
}

/** Resolves, confirms, deletes and reports one blob or manifest. */
export async function deleteWithConfirmation(
  ctx: CliContext,
  flags: DeleteOptions,
  request: DeleteRequest,
): Promise<void> {
  const { store, spec } = request;
  const raw = spec.raw;
  let desc: Descriptor;
  try {
    try {
      desc = await store.resolve(request.reference);
    } catch (error) {
      if (!NotFoundError.is(error)) throw error;
      if (flags.force && !flags.descriptor) {
        ctx.stdout.write(`Missing ${raw}\n`);
        return;
      }
      // oras's own error, not the registry's answer: printed as `Error: ...` (no cause to
      // classify it as a registry error)
      throw new CliError(`${raw}: the specified ${request.noun} does not exist`, {
        code: 'ORAS_ERR_NOT_FOUND',
      });
    }
    if (!(await confirm(ctx, request.question(desc), flags.force))) return;
    try {
      await store.delete(desc);
    } catch (error) {
      throw new CliError(`failed to delete ${raw}: ${(error as Error).message}`, {
        code: (error as { code?: string }).code ?? 'ORAS_ERR_UNKNOWN',
        cause: error,
      });
    }
  } catch (error) {
    throw withDockerHubHint(error, spec, `${request.command} ${raw}`);
  }
  if (flags.descriptor) {
    writeDescriptor(ctx, desc, flags.pretty);
    return;
  }
  ctx.stdout.write(`Deleted ${annotatedReference(spec)}\n`);
}

/**
 * What `--oci-layout` deletes from: the layout at `spec.path`, where `resolve` finds the blob or
 * manifest. A folder that does not exist is not made into a layout: everything is missing from it.
 */
export async function layoutDeleter(
  spec: LayoutTargetSpec,
  resolve: (layout: OciLayoutStore, reference: string) => Promise<Descriptor>,
): Promise<Resolver & Deleter> {
  const exists = await stat(spec.path).then(
    () => true,
    () => false,
  );
  const layout = exists ? await OciLayoutStore.open(spec.path) : undefined;
  return {
    resolve: async (reference) => {
      if (layout === undefined) throw new NotFoundError(`${reference}: not found`);
      return resolve(layout, reference);
    },
    delete: async (desc) => {
      if (layout === undefined) throw new NotFoundError(`${desc.digest}: not found`);
      await layout.delete(desc);
    },
  };
}
