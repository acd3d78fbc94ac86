#!/usr/bin/env bash
# Builds (or refreshes) the two virtualenvs this project needs:
#   .venvs/rasa  Rasa 3.6.21 with jieba (old pinned libraries: SQLAlchemy 1.4, TensorFlow 2.12)
#   .venvs/app   the application: rasa-sdk, python-telegram-bot 22, SQLAlchemy 2, alembic, test tools
# Idempotent: a venv is rebuilt only when its lock file changed. Safe to run on every start.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
VENVS="$ROOT/.venvs"

say() { printf '\033[1;34m[setup]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[setup]\033[0m %s\n' "$*" >&2; exit 1; }

find_python310() {
  local c
  for c in "${PYTHON310:-}" python3.10 "$(command -v pyenv >/dev/null 2>&1 && pyenv root 2>/dev/null)/versions/"3.10*/bin/python3.10 /usr/bin/python3.10 /usr/local/bin/python3.10; do
    [ -n "$c" ] || continue
    # pyenv shims may exist while the version is not selected: ask the interpreter itself
    if command -v "$c" >/dev/null 2>&1 && "$c" -c 'import sys, venv; assert sys.version_info[:2] == (3, 10)' 2>/dev/null; then
      command -v "$c"; return 0
    fi
  done
  return 1
}

PY=$(find_python310) || die "Python 3.10 is required (Rasa 3.6 supports 3.8-3.10; python-telegram-bot 22 needs >= 3.10).
  Install it, then run this again. For example:
    pyenv install 3.10.13        (with pyenv), or
    apt-get install python3.10 python3.10-venv   (Debian/Ubuntu with 3.10 available), or
    set PYTHON310=/path/to/python3.10"

lock_hash() { sha256sum "$@" | sha256sum | cut -c1-16; }

build_venv() {  # name lockfile [extra pip args...]
  local name=$1 lock=$2; shift 2
  local dir="$VENVS/$name" stamp="$VENVS/$name/.lock-hash" want
  want=$(lock_hash "$lock")
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
    say "$name venv up to date ($dir)"; return 0
  fi
  say "building $name venv with $("$PY" --version) (first time takes a few minutes)..."
  rm -rf "$dir"
  "$PY" -m venv "$dir"
  "$dir/bin/python" -m pip install --disable-pip-version-check -q --upgrade "pip<25" setuptools wheel 2>&1 | grep -v 'is ignored' || true
  "$dir/bin/python" -m pip install --disable-pip-version-check --progress-bar on -r "$lock" "$@" 2>&1 \
    | grep -vE 'is ignored: it is neither|DEPRECATION: .* legacy|pip 23.1 will enforce|Discussion can be found' || true
  "$dir/bin/python" -m pip check >/dev/null 2>&1 || say "warning: pip check reports conflicts in $name venv"
  echo "$want" > "$stamp"
  say "$name venv ready"
}

mkdir -p "$VENVS"
# the web channel's browser tests (tests/web) drive Debian's headless Chromium with Selenium; Chinese and emoji
# fonts for its screenshots (the pre-check marks its criteria with ✅ ❌ ❓)
BROWSER_PKGS="chromium chromium-driver fonts-wqy-microhei fonts-noto-color-emoji"
if [ ! -x /usr/bin/chromium ] || [ ! -x /usr/bin/chromedriver ] || [ ! -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] \
   || [ ! -e /usr/share/fonts/truetype/noto/NotoColorEmoji.ttf ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    say "installing $BROWSER_PKGS (browser tests)..."
    # shellcheck disable=SC2086
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q $BROWSER_PKGS >/dev/null \
      || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $BROWSER_PKGS >/dev/null; } \
      || say "warning: could not install $BROWSER_PKGS; the browser tests (tests/web) will fail"
  else
    say "warning: $BROWSER_PKGS missing (apt-get install them as root for tests/web)"
  fi
fi
build_venv rasa requirements/rasa.lock
# the Rasa venv imports rasa_addons/ and bot/parsing from the project root (PYTHONPATH set by the launcher)
build_venv app requirements/app.lock
# project package in editable mode, without touching the locked dependency set
if ! "$VENVS/app/bin/python" -c 'import bot' 2>/dev/null || [ pyproject.toml -nt "$VENVS/app/.editable" ]; then
  "$VENVS/app/bin/python" -m pip install --disable-pip-version-check -q --no-deps --no-build-isolation -e . 2>&1 | grep -v 'is ignored' || true
  touch "$VENVS/app/.editable"
fi
"$VENVS/rasa/bin/python" -c 'import rasa, jieba' || die "the Rasa venv is broken; delete .venvs/rasa and run again"
"$VENVS/app/bin/python" -c 'import telegram, sqlalchemy, rasa_sdk, alembic' || die "the app venv is broken; delete .venvs/app and run again"
say "environments ready"
