# qvpo-kit — common commands. `make help` lists them.
#
#   make test            install what the tests need, type-check, run every test (CI runs this)
#   make notebooks       execute notebooks/*.ipynb headlessly → reports/*.html (PROFILE=smoke|quick|paper)
#   make environment     write environment.md from this machine
#   make bench-envs      env steps/s of the MuJoCo tasks vs the raw physics loop

SHELL := /bin/bash
NPM   ?= npm
TSX   := node_modules/.bin/tsx

.PHONY: help install typecheck unit test environment bench-envs clean

help:
	@sed -n '2,8p' Makefile

# npm packages from the lockfile; re-run when the lockfile changes.
node_modules/.installed: package.json package-lock.json
	$(NPM) ci --no-audit --no-fund
	@touch $@

install: node_modules/.installed

typecheck: install
	node_modules/.bin/tsc -p tsconfig.json
	node scripts/typecheck-notebook.js

# Unit, integration and notebook tests (node's test runner through tsx, one file at a time).
unit: install
	node --import tsx --test --test-concurrency=1 $$(find tests -name '*.test.ts' | sort)

test: install jupyter kernel typecheck
	QVPO_REQUIRE_JUPYTER=1 $(MAKE) --no-print-directory unit

environment: install
	$(TSX) scripts/environment.ts

bench-envs: install
	$(TSX) bench/envs.ts

clean:
	rm -rf build reports/*.tmp*

include mk/notebooks.mk
