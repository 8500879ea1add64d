/** The implementation of `oras login`: prompts, a check against `GET /v2/`, then the store. */
import { type Credential, createCredentialStore, login } from '@oras/auth';
import type { CliContext } from '../../context.js';
import { CliError } from '../../errors.js';
import { usePlainHttp } from '../../options/remote.js';
import { LinePrompter } from '../../prompt.js';
import { debugLog, flagCredential, transportFor } from '../../targets.js';
import { userAgent } from '../../version-info.js';
import type { LoginOptions } from './command.js';

/** Runs `oras login`. */
export async function runLogin(options: LoginOptions, ctx: CliContext): Promise<void> {
  const { common, remote } = options;
  const registry = options.registry.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  if (registry === '' || registry.includes('/')) {
    throw new CliError(`invalid registry "${options.registry}"`, {
      hint: 'use a host, e.g. localhost:5000',
    });
  }
  let cred: Credential | undefined = await flagCredential(remote, ctx);
  if (remote.passwordStdin || remote.identityTokenStdin) {
    // stdin is read to its end: there is nothing left to prompt from
    if (cred === undefined || cred.password === '' || cred.refreshToken === '') {
      const what = remote.username !== undefined ? 'password' : 'token';
      const flag = remote.passwordStdin ? '--password-stdin' : '--identity-token-stdin';
      throw new CliError(`${what} required: ${flag} read nothing`);
    }
  }
  if (cred === undefined || (cred.username !== undefined && cred.password === '')) {
    cred = await promptCredential(ctx, cred?.username);
  }
  const store = createCredentialStore({
    ...(remote.registryConfig.length > 0 ? { configPaths: remote.registryConfig } : {}),
    allowPlaintextPut: true,
    env: ctx.env as NodeJS.ProcessEnv,
  });
  const log = debugLog(common, ctx);
  const dispatcher = transportFor(registry, remote, ctx, undefined, log);
  await login(store, registry, cred, {
    dispatcher,
    userAgent: userAgent(),
    plainHttp: usePlainHttp(remote, registry),
  });
  ctx.stdout.write('Login Succeeded\n');
}

/**
 * Asks for the username, then the password (hidden); an empty username asks for a token instead.
 * The prompts go to stdout, as oras prints them.
 */
async function promptCredential(ctx: CliContext, username?: string): Promise<Credential> {
  const prompter = new LinePrompter(ctx, ctx.stdout);
  try {
    const user = username ?? (await prompter.ask('Username: '));
    if (user === '') {
      const token = await prompter.ask('Token: ', true);
      if (token === '') throw new CliError('token required');
      return { refreshToken: token };
    }
    const password = await prompter.ask('Password: ', true);
    if (password === '') throw new CliError('password required');
    return { username: user, password };
  } finally {
    prompter.close();
  }
}
