#!/usr/bin/env bash
# Every test, in order of cost: lint, unit tests (app venv, incl. PostgreSQL/Redis), Rasa-side tests,
# `rasa data validate` (warnings fail), Rasa conversation tests (trains the model only if inputs changed).
set -uo pipefail
cd "$(dirname "$0")/.."
export RASA_TELEMETRY_ENABLED=false TF_CPP_MIN_LOG_LEVEL=2 SQLALCHEMY_SILENCE_UBER_WARNING=1
APP=.venvs/app/bin
RASA=.venvs/rasa/bin
status=0
step() { printf '\n\033[1;34m== %s ==\033[0m\n' "$*"; }
fail() { printf '\033[1;31m!! %s failed\033[0m\n' "$*"; status=1; }

step "lint (ruff)"
$APP/ruff check bot actions rasa_addons tests scripts || fail lint

step "policy data validation"
$APP/lueyang policy validate || fail "policy validate"

step "rasa data validate (warnings fail)"
out=$(PYTHONPATH=. $RASA/rasa data validate --domain domain --data nlu_data --config config.yml --fail-on-warnings 2>&1)
rc=$?
echo "$out" | grep -vE 'SQLAlchemy|declarative_base|MovedIn20Warning|sqlalche.me' | tail -40
[ $rc -eq 0 ] || fail "rasa data validate"

step "train the model if its inputs changed"
$APP/lueyang train || fail train

step "Rasa-side unit tests (rasa venv)"
# code that runs inside Rasa (guards, tokenizers, classifiers, entity extractor component) and the NLU
# evaluation's Rasa side: every such test lives in tests/rasa_side
PYTHONPATH=. $RASA/python -m pytest -q -p no:cacheprovider tests/rasa_side || fail "rasa-side tests"

step "application tests: unit, database (SQLite + PostgreSQL), front ends, conversations over REST"
$APP/python -m pytest -q -p no:cacheprovider tests --ignore=tests/rasa_side
rc=$?
[ $rc -eq 0 ] || fail "pytest (exit $rc)"

if [ $status -eq 0 ]; then printf '\n\033[1;32mall checks passed\033[0m\n'; else printf '\n\033[1;31msome checks failed\033[0m\n'; fi
exit $status
