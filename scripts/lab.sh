#!/usr/bin/env bash
# scripts/lab.sh — `make lab`: set up, then open the course in JupyterLab on 127.0.0.1 with token auth.
#   PORT=8888 (default) picks the port; LAB_TOKEN sets the token (default: a fresh random one);
#   LAB_IP=0.0.0.0 listens on all interfaces (the Docker image does this); NO_BROWSER=1 skips opening one.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
"$ROOT/scripts/setup.sh"
PORT=${PORT:-8888}
TOKEN=${LAB_TOKEN:-$("$ROOT/.venv/bin/python" -c 'import secrets; print(secrets.token_hex(24))')}
. "$ROOT/scripts/goenv.sh"
export PATH="$ROOT/.bin:$PATH"
args=(--ServerApp.ip="${LAB_IP:-127.0.0.1}" --ServerApp.port="$PORT" --ServerApp.port_retries=0
      --IdentityProvider.token="$TOKEN" --ServerApp.root_dir="$ROOT"
      --LabApp.default_url=/lab/tree/notebooks/00-intro.ipynb)
[ "${NO_BROWSER:-0}" = 1 ] && args+=(--no-browser)
[ "$(id -u)" = 0 ] && args+=(--allow-root)
echo "bert2gpt: JupyterLab at http://127.0.0.1:$PORT/lab/tree/notebooks/00-intro.ipynb?token=$TOKEN"
exec "$ROOT/.venv/bin/jupyter" lab "${args[@]}"
