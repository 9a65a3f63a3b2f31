# The two commands a new user needs:
#   make run   - create .venv from requirements.txt and start the dashboard on http://localhost:8501
#   make test  - add the dev tools, Debian's chromium and nginx when missing, then run ruff and every test
# and one for a class:
#   make serve WORKERS=2 - N Streamlit processes behind nginx with sticky sessions (deploy/serve.py),
#                          on http://127.0.0.1:$(PORT); ADDRESS=0.0.0.0 lets the room in
#
# PyTorch is installed on its own, before the rest, from `TORCH_INDEX` when given:
#   make run                                                   # PyPI's wheel (CUDA on Linux x86-64, MPS on Macs)
#   make run TORCH_INDEX=https://download.pytorch.org/whl/cpu  # a small CPU-only build
# requirements.txt's --extra-index-url line (for Streamlit Community Cloud) is left out here, so
# a machine that cannot reach that index never stalls on it.

PYTHON ?= python3
VENV ?= .venv
PORT ?= 8501
WORKERS ?=
ADDRESS ?= 127.0.0.1
TORCH_INDEX ?=
TEST_WORKERS ?= 2
PY := $(VENV)/bin/python
PIP := $(PY) -m pip
TORCH_SPEC := $(shell grep -E '^torch==' requirements.txt)

.PHONY: run serve test lint unit pages browser bench screenshots chromium nginx clean

$(VENV)/.installed: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install "$(TORCH_SPEC)" $(if $(TORCH_INDEX),--index-url $(TORCH_INDEX) --extra-index-url https://pypi.org/simple)
	grep -v -e '^--extra-index-url' requirements.txt > $(VENV)/requirements.local.txt
	$(PIP) install -r $(VENV)/requirements.local.txt
	touch $@

$(VENV)/.dev-installed: requirements-dev.txt $(VENV)/.installed
	$(PIP) install -r requirements-dev.txt
	touch $@

run: $(VENV)/.installed
	$(PY) -m streamlit run app.py --server.port $(PORT)

# WORKERS defaults to the CPUs this machine gives us (deploy/serve.py decides).
serve: $(VENV)/.installed nginx
	$(PY) deploy/serve.py --port $(PORT) --address $(ADDRESS) $(if $(WORKERS),--workers $(WORKERS))

chromium:
	@if [ -x /usr/bin/chromium ]; then echo "chromium: $$(/usr/bin/chromium --version 2>/dev/null)"; \
	else SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	     $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; fi

# Debian's nginx, for `make serve` and its browser test. On a machine with systemd the package also
# starts a system-wide nginx on port 80 (`sudo systemctl disable --now nginx` if you do not want it);
# `make serve` runs its own, as the calling user, from .serve/.
nginx:
	@n=$$(command -v nginx || echo /usr/sbin/nginx); if [ -x "$$n" ]; then echo "nginx: $$n, $$($$n -v 2>&1)"; \
	else SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	     $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq nginx; fi

lint: $(VENV)/.dev-installed
	$(PY) -m ruff check .

unit: $(VENV)/.dev-installed
	$(PY) -m pytest tests/unit

pages: $(VENV)/.dev-installed
	$(PY) -m pytest tests/pages

browser: $(VENV)/.dev-installed chromium nginx
	$(PY) -m pytest tests/browser

# The unit and page tests run in TEST_WORKERS processes (pytest-xdist; each test on its own, except the groups
# marked xdist_group, which stay on one worker); the browser tests, which start servers and time them, run after,
# alone.
test: $(VENV)/.dev-installed chromium nginx
	$(PY) -m ruff check .
	$(PY) -m pytest -m "not browser" -n $(TEST_WORKERS) --dist loadgroup
	$(PY) -m pytest -m browser

bench: $(VENV)/.installed
	$(PY) -m bench

screenshots: $(VENV)/.dev-installed chromium
	$(PY) ../shared/tools/screenshots.py --out screenshots

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache screenshots .serve
