# qvpo-kit — common commands. `make help` lists them.
#
#   make test            install what the tests need, type-check, run every test (CI runs this)
#   make notebooks       execute notebooks/*.ipynb headlessly → reports/<profile>/*.html (PROFILE=smoke|quick|medium|paper)
#   make reproduce-table1  run the Table 1 sweep (PROFILE=quick|smoke|paper, JOBS=N, ALGOS=qvpo,td3,...), skip complete runs, aggregate into results/<profile>/
#   make ablations       run the Figure 4 (entropy) and Figure 5 (Kb/Kt) arms (PROFILE=quick|smoke|paper, JOBS=N)
#   make environment     write environment.md from this machine
#   make bench-envs      env steps/s of the MuJoCo tasks vs the raw physics loop
#   make bench-qvpo      ms per QVPO iteration / action (sampling, critic, actor) per engine and task dims

SHELL := /bin/bash
NPM   ?= npm
TSX   := node_modules/.bin/tsx
QVPO  := node bin/qvpo-kit.js
# Worker processes of a sweep; empty = one per core.
JOBS  ?=
# Algorithms of make reproduce-table1 (every Table 1 column the kit can run).
ALGOS ?= qvpo,td3,sac,ppo,spo,dipo,qsm

.PHONY: help install typecheck unit test reproduce-table1 ablations environment bench-envs bench-qvpo clean

help:
	@sed -n '2,11p' Makefile

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

# The sweep prints the backend it picked; complete runs are skipped, killed ones resume.
reproduce-table1: install
	$(QVPO) sweep --profile $(PROFILE) --algos $(ALGOS) $(if $(JOBS),--jobs $(JOBS))
	$(QVPO) table --profile $(PROFILE)

ablations: install
	$(QVPO) ablation --name entropy --profile $(PROFILE) $(if $(JOBS),--jobs $(JOBS))
	$(QVPO) ablation --name action-selection --profile $(PROFILE) $(if $(JOBS),--jobs $(JOBS))

environment: install
	$(TSX) scripts/environment.ts

bench-envs: install
	$(TSX) bench/envs.ts

bench-qvpo: install
	$(TSX) bench/qvpo-iteration.ts

clean:
	rm -rf build reports/*.tmp*

include mk/notebooks.mk
