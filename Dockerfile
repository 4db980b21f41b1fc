# yihu (一呼): one image for every app. The default command runs the all-in-one hub; pick
# another app by overriding the command (docker-compose.yml does this for cluster mode):
#   node dist/apps/dispatch/src/main.js
#   node dist/apps/mqtt-bridge/src/main.js
#   node dist/apps/sfu/src/main.js
#
# Needs BuildKit (the default builder since Docker 23) for the RUN --mount caches.
# Configuration is by environment variable only (libs/platform/src/config/config.schema.ts);
# never bake a secret into the image.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS build

# The mediasoup 3.8.4 C++ worker is compiled by the root postinstall (scripts/mediasoup-worker.mjs).
RUN apt-get update \
    && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

# SCARF_ANALYTICS / DO_NOT_TRACK: a dependency's postinstall would otherwise phone home.
# YIHU_MEDIASOUP_CACHE sits on a BuildKit cache mount below, so a change to package.json
# restores the compiled worker instead of spending minutes compiling it again.
ENV SCARF_ANALYTICS=false \
    DO_NOT_TRACK=1 \
    YIHU_MEDIASOUP_CACHE=/cache/mediasoup

# Dependencies first, for layer caching: only what `npm ci` and its postinstall read.
# MEDIASOUP_WORKER_BIN=/nonexistent (install only, never at run time): npm 10, which this base
# image ships, ignores package.json "allowScripts" and would run mediasoup's own postinstall,
# an unpatched build that fails; with the variable set that step is a no-op, and our postinstall
# still builds the patched worker because the path does not exist (see the script's header).
COPY package.json package-lock.json ./
COPY scripts/ scripts/
COPY patches/ patches/
RUN --mount=type=cache,target=/root/.npm \
    --mount=type=cache,target=/cache/mediasoup \
    MEDIASOUP_WORKER_BIN=/nonexistent npm ci --no-audit --no-fund \
    && test -x node_modules/mediasoup/worker/out/Release/mediasoup-worker

COPY . .
RUN npm run build

# Drop dev dependencies. scripts/ and patches/ are still here, so if npm runs the root
# postinstall again it restores the worker from the cache mount rather than failing.
# Then keep only the worker binary from mediasoup's worker/ tree: its C++ sources, the
# vendored dependencies and the object files are hundreds of MB that nothing reads at run
# time (mediasoup spawns worker/out/Release/mediasoup-worker and nothing else there).
# config/ is created when the repo has none, so the runtime stage can always copy it.
RUN --mount=type=cache,target=/root/.npm \
    --mount=type=cache,target=/cache/mediasoup \
    MEDIASOUP_WORKER_BIN=/nonexistent npm prune --omit=dev --no-audit --no-fund \
    && test -x node_modules/mediasoup/worker/out/Release/mediasoup-worker \
    && find node_modules/mediasoup/worker -mindepth 1 -maxdepth 1 ! -name out -exec rm -rf {} + \
    && find node_modules/mediasoup/worker/out -mindepth 1 -maxdepth 1 ! -name Release -exec rm -rf {} + \
    && find node_modules/mediasoup/worker/out/Release -mindepth 1 -maxdepth 1 ! -name mediasoup-worker -exec rm -rf {} + \
    && test -x node_modules/mediasoup/worker/out/Release/mediasoup-worker \
    && mkdir -p config

# ---------------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime

# DATA_DIR: the embedded database and broker state of the all-in-one hub (mount a volume
# there for embedded mode); in cluster mode only start-up writes to it.
# NODE_OPTIONS: package.json's config.nodeFlags, which `npm start` passes (see docs/configuration.md,
# "Node flags"); here for every app command, whatever the command line says.
ENV NODE_ENV=production \
    NODE_OPTIONS=--max-semi-space-size=64 \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/app/data

WORKDIR /app

# Code stays root-owned and read-only to the app; only DATA_DIR is writable.
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/config ./config
RUN mkdir -p /app/data && chown node:node /app/data

# The base image's unprivileged user (uid 1000).
USER node

# 3000: HTTP + Socket.IO. 1883: the hub's embedded MQTT broker (when MQTT_URL is unset).
# The SFU's RTC ports (SFU_RTC_MIN_PORT..SFU_RTC_MAX_PORT, UDP and TCP) are published per
# deployment; see docker-compose.yml.
EXPOSE 3000 1883

# 200 while the database answers (other components may be degraded); 503 or no answer is
# unhealthy. Runs as `node -e` with the built-in fetch: the slim image has no curl or wget.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/api/v1/health',{signal:AbortSignal.timeout(4000)}).then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]

# node is PID 1 and handles SIGTERM itself (graceful stop within 15 s).
CMD ["node", "dist/apps/hub/src/main.js"]
