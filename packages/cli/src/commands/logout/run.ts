/** The implementation of `oras logout`. */
import { createCredentialStore, logout } from '@oras/auth';
import type { CliContext } from '../../context.js';
import type { LogoutOptions } from './command.js';

/** Runs `oras logout`. */
export async function runLogout(options: LogoutOptions, ctx: CliContext): Promise<void> {
  const configPaths = options.registryConfig;
  const store = createCredentialStore({
    ...(configPaths.length > 0 ? { configPaths: [...configPaths] } : {}),
    env: ctx.env as NodeJS.ProcessEnv,
  });
  await logout(store, options.registry);
}
