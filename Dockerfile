# One image for every process that runs our code: app, worker, scheduler and the one-shot migrate.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# ffmpeg: subtitles and transcodes. curl/unzip: Reflex's frontend tooling expects them.
# nodejs/npm: Debian's are too old to build the frontend; they only install bun below.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg curl unzip nodejs npm \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /srv/seen

# Dependencies before the source, so editing code does not reinstall them.
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

# Reflex would download bun from the internet at run time; take the pinned one from the npm registry
# (its install script fetches the platform binary, so scripts stay on).
RUN npm install --prefix /opt/tools --save-exact bun@1.4.4 \
    && npm cache clean --force
ENV REFLEX_BUN_PATH=/opt/tools/node_modules/.bin/bun \
    PATH=/opt/tools/node_modules/.bin:$PATH \
    REFLEX_TELEMETRY_ENABLED=false

COPY . .
# --no-deps: requirements.txt already pinned everything; this only registers the package and its scripts.
RUN pip install --no-cache-dir --no-deps -e . \
    && python -c "import seen"

EXPOSE 3000
CMD ["reflex", "run", "--env", "prod"]
