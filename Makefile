# qvpo-kit — common commands. `make help` lists every target: the `## ` line above a target is
# its entry (here and in mk/notebooks.mk).

SHELL := /bin/bash
NPM   ?= npm
TSX   := node_modules/.bin/tsx
QVPO  := node bin/qvpo-kit.js
# Worker processes of a sweep; empty = one per core.
JOBS  ?=
# Algorithms of make reproduce-table1 (every Table 1 column the kit can run).
ALGOS ?= qvpo,td3,sac,ppo,spo,dipo,qsm

.PHONY: help install typecheck unit test reproduce-table1 ablations environment bench-envs bench-qvpo bench-dipo bench-cli clean

## this list
help:
	@awk '/^## / { doc = substr($$0, 4); next } /^[A-Za-z0-9_.-]+:/ && doc { sub(/:.*/, ""); printf "  make %-17s %s\n", $$0, doc } { doc = "" }' $(MAKEFILE_LIST)
	@echo "Variables: PROFILE=smoke|quick|medium|paper (default quick), JOBS=N, ALGOS=qvpo,td3,..., NOTEBOOKS=\"a.ipynb b.ipynb\"; more in mk/notebooks.mk."

# npm packages from the lockfile; re-run when the lockfile changes. npm 10 (bundled with Node 20
# and 22) ignores package.json's allowScripts: the variable stops onnxruntime-node's install script
# from downloading its CUDA provider from outside the npm registry there too.
node_modules/.installed: package.json package-lock.json
	ONNXRUNTIME_NODE_INSTALL=skip $(NPM) ci --no-audit --no-fund
	@touch $@

## the npm packages from the lockfile (npm ci), when package.json or package-lock.json changed
install: node_modules/.installed

## type-check lib/, tests, scripts and cli/ (the project's TypeScript and the notebook kernel's)
typecheck: install
	node_modules/.bin/tsc -p tsconfig.json
	node scripts/typecheck-notebook.js

## every test file, one at a time: a line per file, failures in full, `N passed, N failed, N skipped` last
unit: install
	node --import tsx --test --test-concurrency=1 --test-reporter=./scripts/test-reporter.mjs $$(find tests -name '*.test.ts' | sort)

## install what the tests need, type-check, run every test (CI runs this)
test: install jupyter kernel typecheck
	QVPO_REQUIRE_JUPYTER=1 $(MAKE) --no-print-directory unit

# The sweep prints the backend it picked; complete runs are skipped, killed ones resume.
## the Table 1 sweep of PROFILE (ALGOS, JOBS), skipping complete runs, then Table 1 and Figure 3 in results/<profile>/
reproduce-table1: install
	$(QVPO) sweep --profile $(PROFILE) --algos $(ALGOS) $(if $(JOBS),--jobs $(JOBS))
	$(QVPO) table --profile $(PROFILE)

## the Figure 4 (entropy) and Figure 5 (Kb/Kt) arms of PROFILE (JOBS), skipping complete runs
ablations: install
	$(QVPO) ablation --name entropy --profile $(PROFILE) $(if $(JOBS),--jobs $(JOBS))
	$(QVPO) ablation --name action-selection --profile $(PROFILE) $(if $(JOBS),--jobs $(JOBS))

## write environment.md from this machine
environment: install
	$(TSX) scripts/environment.ts

## env steps/s of the MuJoCo tasks vs the raw physics loop
bench-envs: install
	$(TSX) bench/envs.ts

## ms per QVPO iteration / action (sampling, critic, actor) per engine and task dims
bench-qvpo: install
	$(TSX) bench/qvpo-iteration.ts

## ms per DIPO iteration / action (critic, action ascent, actor) per engine, Hopper dims
bench-dipo: install
	$(TSX) bench/dipo-iteration.ts

## start-up time (wall and CPU) of the qvpo-kit command
bench-cli: install
	bash bench/cli-startup.sh

## remove build/ (kernelspec) and temporary report files
clean:
	rm -rf build reports/*.tmp*

include mk/notebooks.mk
