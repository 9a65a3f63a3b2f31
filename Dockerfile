# The dashboard for self-hosting: N Streamlit workers behind nginx (deploy/serve.py), CPU-only torch.
#
#   docker build -t mfdl-explorers .
#   docker run --rm -p 8501:8501 --cpus 2 -e WORKERS=2 mfdl-explorers     # then http://localhost:8501
#
# WORKERS defaults to the CPUs the container may use (its CPU quota, else its cores). Give each
# worker about 1 GiB of memory (DESIGN.md's budget for one process with every page visited).
# Several machines: run N replicas behind a load balancer with cookie affinity (README,
# "Serving a classroom"; deploy/k8s.yaml).

ARG PYTHON_IMAGE=python:3.11-slim
FROM ${PYTHON_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false \
    MFDL_DEVICE=cpu \
    ADDRESS=0.0.0.0 \
    PORT=8501 \
    MFDL_SERVE_DIR=/tmp/serve

# nginx from Debian. The package's own service is never started in a container (no init), and
# serve.py runs nginx from its run directory as the app's user, with its own configuration.
RUN apt-get update \
    && apt-get install -y --no-install-recommends nginx \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# Dependencies first (a layer that survives code changes). torch on its own, the CPU build from
# PyTorch's index, at requirements.txt's pin; then the other pins, without the --extra-index-url
# line (torch is already satisfied, so nothing else is taken from that index).
COPY requirements.txt ./
RUN pip install "$(grep -E '^torch==' requirements.txt)" --index-url https://download.pytorch.org/whl/cpu \
    && grep -v -e '^--extra-index-url' requirements.txt > /tmp/requirements.txt \
    && pip install -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt \
    && python -c "import torch; assert not torch.version.cuda, torch.version.cuda; print('torch', torch.__version__)"

COPY . .

# A user without privileges; it owns nothing in /app (the code stays read-only to it).
RUN groupadd --gid 10001 mfdl && useradd --create-home --uid 10001 --gid 10001 --shell /usr/sbin/nologin mfdl
USER 10001:10001

EXPOSE 8501

# Through nginx to a worker: the proxy and at least one worker answer.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:${PORT}/_stcore/health', timeout=4)"

# exec form: serve.py is PID 1, gets `docker stop`'s SIGTERM and stops nginx and the workers.
CMD ["python", "deploy/serve.py"]
