# Notebook and report targets for qvpo-kit; `include mk/notebooks.mk` from the top-level Makefile.
#
#   make jupyter                      check/install jupyter nbconvert + nbclient (apt when root)
#   make kernel                       write the tslab kernelspec to build/jupyter (headless use)
#   make kernel-user                  write it to the user's Jupyter data dir (JupyterLab)
#   make notebooks                    execute notebooks/*.ipynb -> reports/<profile>/<name>.html
#   make notebooks PROFILE=smoke NOTEBOOKS="notebooks/a.ipynb notebooks/b.ipynb"
#   make reports                      make notebooks, then reports/<profile>/index.html linking every
#                                     report and reports/index.html linking every profile's index
#   make notebooks NB_PARAMS=my-params.json NB_KEEP_IPYNB=build/executed NB_TIMEOUT=0
#
# Every variable can be overridden on the command line or in the environment.

NB_ROOT            := $(abspath $(dir $(lastword $(MAKEFILE_LIST)))..)
NODE               ?= node
NB_SCRIPTS         ?= $(NB_ROOT)/scripts/notebook
NB_KERNEL_DIR      ?= $(NB_ROOT)/build/jupyter
NB_KERNEL_NAME     ?= tslab
PROFILE            ?= quick
# Each profile's reports have their own folder (smoke's is git-ignored: CI checks).
NB_OUT             ?= $(NB_ROOT)/reports/$(PROFILE)
# Notebooks to run; empty means all of notebooks/*.ipynb.
NOTEBOOKS          ?=
# Per-cell timeout in seconds (0 = no limit).
NB_TIMEOUT         ?= 1800
# Optional JSON file of parameter overrides (QVPO_PARAMS) and folder for executed .ipynb copies.
NB_PARAMS          ?=
NB_KEEP_IPYNB      ?=
# Extra arguments for run-notebooks.js (e.g. --allow-errors, --fail-fast, --quiet).
NB_ARGS            ?=

.PHONY: jupyter kernel kernel-user notebooks reports reports-index

## check for Jupyter's nbconvert and nbclient; install them with apt-get when root
jupyter:
	bash $(NB_SCRIPTS)/ensure-jupyter.sh

## write the tslab kernelspec to build/jupyter (headless use: make notebooks, tests)
kernel:
	$(NODE) $(NB_SCRIPTS)/install-kernel.js --prefix $(NB_KERNEL_DIR) --name $(NB_KERNEL_NAME)

## write the kernelspec to your Jupyter data dir, for JupyterLab or Notebook
kernel-user:
	$(NODE) $(NB_SCRIPTS)/install-kernel.js --user --name $(NB_KERNEL_NAME)

## execute notebooks/*.ipynb (NOTEBOOKS=..., PROFILE=...) -> reports/<profile>/<name>.html
notebooks: jupyter kernel
	$(NODE) $(NB_SCRIPTS)/run-notebooks.js \
	  --profile $(PROFILE) \
	  --out $(NB_OUT) \
	  --timeout $(NB_TIMEOUT) \
	  --kernel $(NB_KERNEL_NAME) \
	  --kernel-dir $(NB_KERNEL_DIR) \
	  $(if $(NB_PARAMS),--params $(NB_PARAMS)) \
	  $(if $(NB_KEEP_IPYNB),--keep-ipynb $(NB_KEEP_IPYNB)) \
	  $(NB_ARGS) $(NOTEBOOKS)

## make notebooks, then the index pages (make reports-index)
reports: notebooks reports-index

## reports/<profile>/index.html linking its reports, and reports/index.html linking the profiles
reports-index:
	$(NODE) $(NB_SCRIPTS)/reports-index.js --dir $(NB_OUT) $(if $(filter $(abspath $(NB_OUT)),$(NB_ROOT)/reports/$(PROFILE)),--top $(NB_ROOT)/reports)
