# Loadline in one image: every role (`start --roles api|realtime|worker`), the
# `migrate` command and the rest of the command line. The server runs its
# TypeScript through tsx (docs/adr/0007); the web app is built here by Vite and
# served by the api role. docs/DEPLOYMENT.md shows how to run it.
#
#   docker build -t loadline .
#   docker run --rm -p 3000:3000 -v loadline-data:/data loadline          # embedded mode
#   docker run --rm --env-file cluster.env loadline migrate               # cluster mode
#   docker run -d --env-file cluster.env loadline start --roles api,realtime

ARG NODE_IMAGE=node:20-bookworm-slim

# Production dependencies of the server and contracts only. better-sqlite3 is
# native: it fetches a prebuilt binary or, failing that, compiles here.
FROM ${NODE_IMAGE} AS deps
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
ENV npm_config_nodedir=/usr/local
WORKDIR /app
COPY package.json package-lock.json ./
COPY apps/server/package.json apps/server/
COPY apps/web/package.json apps/web/
COPY packages/contracts/package.json packages/contracts/
RUN npm ci --omit=dev --workspace=@loadline/server --workspace=@loadline/contracts \
      --no-audit --no-fund --loglevel=error \
 && npm cache clean --force

# The web app's bundle: its build dependencies stay in this stage.
FROM ${NODE_IMAGE} AS web
WORKDIR /app
COPY package.json package-lock.json tsconfig.base.json ./
COPY apps/server/package.json apps/server/
COPY apps/web/package.json apps/web/
COPY packages/contracts/package.json packages/contracts/
# Every workspace is linked (the web app imports @loadline/contracts); no install scripts run.
RUN npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
COPY packages/contracts packages/contracts
COPY apps/web apps/web
RUN npm run build -w @loadline/web --silent

FROM ${NODE_IMAGE}
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=3000 \
    DATA_DIR=/data
WORKDIR /app
COPY --from=deps /app ./
COPY tsconfig.json tsconfig.base.json ./
COPY packages/contracts packages/contracts
COPY apps/server/src apps/server/src
COPY --from=web /app/apps/web/dist apps/web/dist
# Embedded mode keeps its SQLite shards here; the image runs as `node` (uid 1000).
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME /data
EXPOSE 3000
# Liveness only: /healthz answers while the event loop runs; /readyz (dependencies) is for load balancers.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# Node is PID 1 (exec form, no shell): SIGTERM reaches it and it drains
# (sockets first, then in-flight requests) within SHUTDOWN_TIMEOUT_MS.
STOPSIGNAL SIGTERM
# V8 flags: apps/server/src/http/node-flags.ts (ADR 0033); a test keeps the two alike.
ENTRYPOINT ["node", "--max-semi-space-size=64", "--import", "tsx", "apps/server/src/main.ts"]
CMD ["start"]
