// The benchmark's Go peer (tooling/bench/go-peer/main.go, a client on oras-go v1): makes sure
// Debian's Go 1.19 and oras-go v1 sources are installed, then builds the peer offline, in GOPATH
// mode against /usr/share/gocode, where Debian's Go library packages put their sources.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const GOCODE = '/usr/share/gocode';
const ORAS_GO = join(GOCODE, 'src/oras.land/oras-go/pkg/oras');
const PACKAGES = ['golang-go', 'golang-oras-oras-go-dev'];
const source = join(import.meta.dirname, '../go-peer');
/** Where the built peer goes (ignored by git). */
export const GO_PEER_BIN = join(source, '.build/oras-go-peer');

const hasGo = () => spawnSync('go', ['version'], { stdio: 'ignore' }).status === 0;

function apt(args) {
  const res = spawnSync('apt-get', args, {
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' },
  });
  return res.status === 0;
}

/** Whether apt knows a candidate version of `name` (false before the first `apt-get update`). */
function aptKnows(name) {
  const res = spawnSync('apt-cache', ['policy', name], { encoding: 'utf8' });
  return /Candidate: (?!\(none\))/.test(res.stdout ?? '');
}

/**
 * Installs the Debian packages the peer needs when they are missing (as root, with apt-get),
 * then builds the peer if it is missing or older than its source. Returns the binary's path, or
 * throws an Error whose message says what to do.
 */
export function ensureGoPeer() {
  if (!hasGo() || !existsSync(ORAS_GO)) {
    const command = `apt-get install -y --no-install-recommends ${PACKAGES.join(' ')}`;
    if (process.getuid?.() !== 0 || !existsSync('/usr/bin/apt-get')) {
      throw new Error(
        `the Go peer needs Debian's Go 1.19 and oras-go v1: run \`sudo ${command}\`, or pass --no-go-peer`,
      );
    }
    console.log(`bench: the Go peer needs Debian's Go 1.19 and oras-go v1; installing: ${command}`);
    if (!PACKAGES.every(aptKnows) && !apt(['update'])) throw new Error('apt-get update failed');
    if (!apt(['install', '-y', '--no-install-recommends', ...PACKAGES]) || !hasGo() || !existsSync(ORAS_GO)) {
      throw new Error(`\`${command}\` failed; pass --no-go-peer to run without the Go peer`);
    }
  }
  const main = join(source, 'main.go');
  if (existsSync(GO_PEER_BIN) && statSync(GO_PEER_BIN).mtimeMs >= statSync(main).mtimeMs) return GO_PEER_BIN;
  console.log(
    'bench: building the Go peer (oras-go v1 from /usr/share/gocode, offline; the first build takes minutes)',
  );
  mkdirSync(join(source, '.build'), { recursive: true });
  const res = spawnSync('go', ['build', '-o', GO_PEER_BIN, '.'], {
    cwd: source,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: {
      ...process.env,
      // GOPATH mode: imports come from Debian's source tree, nothing is downloaded
      GO111MODULE: 'off',
      GOPATH: GOCODE,
      GOPROXY: 'off',
      GOFLAGS: '',
      CGO_ENABLED: '0',
      ...(process.env.GOCACHE || process.env.HOME || process.env.XDG_CACHE_HOME
        ? {}
        : { GOCACHE: join(source, '.build/cache') }),
    },
  });
  if (res.status !== 0) throw new Error('building tooling/bench/go-peer failed (see the output above)');
  return GO_PEER_BIN;
}

/** The installed Debian version of oras-go v1 and Go, for the report. */
export function goPeerVersions() {
  // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
  const res = spawnSync('dpkg-query', ['-W', '-f', '${Version}', 'golang-oras-oras-go-dev'], {
    encoding: 'utf8',
  });
  const go = spawnSync('go', ['version'], { encoding: 'utf8' }).stdout?.trim() ?? 'go: unknown';
  return `oras-go ${res.stdout?.trim() || 'unknown'} (Debian golang-oras-oras-go-dev), ${go}`;
}
