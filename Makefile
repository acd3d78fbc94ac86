# 略阳县社会救助助手 — the commands a user needs. Everything sets up what is missing first.
SHELL := /bin/bash
APP   := .venvs/app/bin
RASA  := .venvs/rasa/bin
export RASA_TELEMETRY_ENABLED := false
export TF_CPP_MIN_LOG_LEVEL := 2
export SQLALCHEMY_SILENCE_UBER_WARNING := 1

.PHONY: run test serve production load-test setup train retrain eval bench bench-nlu bench-cases bench-visits lint validate clean

## run: set up, train if needed, prepare the database, start Rasa + actions + chat (Telegram if TELEGRAM_BOT_TOKEN)
run: setup
	$(APP)/lueyang run

## test: set up and run every test (lint, unit, rasa data validate, conversation tests)
test: setup
	bash scripts/test.sh

## serve: start only the Rasa server and the action server (no front end)
serve: setup
	$(APP)/lueyang serve

## production: a local demo of the production profile (PostgreSQL, Redis, 2 Rasa + 2 action servers, demo data)
production: setup
	bash scripts/services.sh
	$(APP)/lueyang production --demo-on-this-machine

## load-test: embedded vs production (1 and 2 Rasa processes), 50 users -> results/load_test.md
load-test: setup
	bash scripts/services.sh
	$(APP)/python scripts/load_test.py

setup:
	@bash scripts/setup.sh

train: setup
	$(APP)/lueyang train

retrain: setup
	$(APP)/lueyang train --force

## eval: NLU evaluation on the fixed 20 % hold-out + baselines + the encoder experiment, and the external test set
## with the trained model (results/nlu_eval.md); TEST_FILES="a.yml b.yml" scores other files
TEST_FILES ?= tests/nlu/data/external_test.yml
eval: train
	PYTHONPATH=. $(RASA)/python scripts/evaluate_nlu.py $(foreach f,$(TEST_FILES),--test-file $(f))

bench-nlu: setup
	PYTHONPATH=. $(RASA)/python scripts/bench_nlu.py

bench-cases: setup
	$(APP)/python scripts/bench_cases.py

bench-visits: setup
	$(APP)/python scripts/bench_visits.py

bench: bench-nlu bench-cases bench-visits

lint: setup
	$(APP)/ruff check bot actions rasa_addons tests scripts

validate: setup
	PYTHONPATH=. $(RASA)/rasa data validate --domain domain --data nlu_data --config config.yml --fail-on-warnings

clean:
	rm -rf .venvs models var .rasa results
