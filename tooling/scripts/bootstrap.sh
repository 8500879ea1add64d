#!/usr/bin/env bash
# Installs everything the build and the tests need on a fresh Debian machine with Node.js 20 and npm:
# pnpm (the version pinned in package.json), the Debian packages the integration tests run
# (docker-registry, skopeo, openssl, htpasswd, tmux for the terminal test, zsh and fish for the completion test), and the workspace's dependencies.
set -euo pipefail
cd "$(dirname "$0")/../.."

want_pnpm=$(node -p "require('./package.json').packageManager.split('@')[1]")
if [[ "$(pnpm --version 2>/dev/null || true)" != "$want_pnpm" ]]; then
  echo "bootstrap: installing pnpm $want_pnpm"
  npm install --global --no-fund --no-audit "pnpm@$want_pnpm" >/dev/null
fi

missing=()
command -v docker-registry >/dev/null || missing+=(docker-registry)
command -v skopeo >/dev/null || missing+=(skopeo)
command -v openssl >/dev/null || missing+=(openssl)
command -v htpasswd >/dev/null || missing+=(apache2-utils)
command -v curl >/dev/null || missing+=(curl)
command -v tmux >/dev/null || missing+=(tmux)
command -v zsh >/dev/null || missing+=(zsh)
command -v fish >/dev/null || missing+=(fish)
[[ -x /usr/bin/time ]] || missing+=(time)
command -v docker-credential-pass >/dev/null || missing+=(golang-docker-credential-helpers)
command -v pass >/dev/null || missing+=(pass)
command -v gpg >/dev/null || missing+=(gnupg)
if ((${#missing[@]})); then
  echo "bootstrap: installing Debian packages: ${missing[*]}"
  sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

pnpm install --frozen-lockfile
