/** The implementation of `oras logout`. */
import { createCredentialStore, logout } from '@oras/auth';
import type { CliContext } from '../../context.js';
import { listArg } from '../../options/args.js';
import { parseCommon } from '../../options/common.js';

/** Runs `oras logout`. */
export async function runLogout(argv: Record<string, unknown>, ctx: CliContext): Promise<void> {
  parseCommon(argv, ctx);
  const configPaths = listArg(argv, 'registry-config');
  const store = createCredentialStore({
    ...(configPaths.length > 0 ? { configPaths } : {}),
    env: ctx.env as NodeJS.ProcessEnv,
  });
  await logout(store, String(argv.registry));
}
