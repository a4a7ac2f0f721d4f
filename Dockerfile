# syntax=docker/dockerfile:1
# blog-api image. Targets:
#   runtime (default, last stage) - production: compiled JS + production dependencies, uid 10001
#   dev                           - for `skaffold dev`: sources + dev dependencies, `tsx watch`
# Build: docker build -t blog-api .        (CI: scripts/image-test.sh builds and runs it with podman)

# Node 24 is the current LTS (Node 20 reached end of life on 2026-04-30).
ARG NODE_IMAGE=node:24-bookworm-slim

# ---- build: all dependencies, compile TypeScript to dist/ ----
FROM ${NODE_IMAGE} AS build
WORKDIR /app
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
# Manifests first so the dependency layer is reused until package*.json change.
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY app ./app
# tsconfig.build.json compiles app/ only (tsconfig.json also type-checks scripts/ and test/).
RUN npm run build

# ---- prod-deps: production dependencies only, without lifecycle scripts ----
# --ignore-scripts: our own lifecycle scripts would need dev tools, and no runtime dependency
# needs an install script (all are pure JS).
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
ENV npm_config_update_notifier=false npm_config_fund=false npm_config_audit=false
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# ---- dev: what `skaffold dev` runs; synced sources are reloaded by tsx watch ----
FROM build AS dev
ENV NODE_ENV=development
# The app files belong to the runtime user so skaffold's file sync (which runs as that user) can
# overwrite them. tsx keeps its cache under /tmp.
RUN chown -R 10001:10001 /app/app
USER 10001
EXPOSE 3000 9464
CMD ["node_modules/.bin/tsx", "watch", "app/main.ts"]

# ---- runtime: the production image (default target) ----
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production \
    npm_config_update_notifier=false \
    npm_config_fund=false \
    npm_config_cache=/tmp/.npm
WORKDIR /app
# Files stay root-owned and read-only to the service user: the code cannot rewrite itself, and the
# container works with a read-only root filesystem. package.json and npm stay for the migration
# Job (`npm run migrate`).
COPY package.json package-lock.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
# Numeric USER so Kubernetes can verify runAsNonRoot without a passwd lookup.
USER 10001
EXPOSE 3000 9464
# node itself is PID 1 (no npm or shell wrapper), so SIGTERM reaches the service's own handler.
# --enable-source-maps: stack traces in the logs name the TypeScript files and lines (dist/ holds
# the .map files tsc writes next to the JavaScript).
STOPSIGNAL SIGTERM
CMD ["node", "--enable-source-maps", "dist/app/main.js"]
