# Cerebro: a multi-stage image. The build stage compiles TypeScript, builds the web console and installs the native addons
# (better-sqlite3, argon2: prebuilt binaries, or compiled when none fits); the runtime stage holds
# production dependencies only and runs as an unprivileged user (uid 1000).
#   docker build -t cerebro .
#   docker run -p 8000:8000 -e CEREBRO_API_TOKEN=... -v cerebro-data:/var/lib/cerebro cerebro
# A bind mount instead of a named volume must be writable by uid 1000.

FROM node:22-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY web ./web
COPY bench ./bench
COPY eval ./eval
RUN npm run build && npm prune --omit=dev

FROM node:22-slim
# The grace period stays under `docker stop`'s default 10 s, so the logs are flushed and the
# database closed before a SIGKILL (raise both together: docker run --stop-timeout 40).
ENV NODE_ENV=production \
    HOST=0.0.0.0 \
    PORT=8000 \
    DATABASE_URL=sqlite:/var/lib/cerebro/cerebro.db \
    SHUTDOWN_GRACE_MS=7000
WORKDIR /app
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist/src ./dist/src
COPY --from=build /app/dist/web ./dist/web
COPY package.json ./
COPY data/models.json ./data/models.json
RUN mkdir -p /var/lib/cerebro && chown node:node /var/lib/cerebro
USER node
# The SQLite file (and the generated operator token and secrets it keeps) survive restarts here.
VOLUME ["/var/lib/cerebro"]
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8000)+'/health').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
CMD ["node", "--max-semi-space-size=8", "dist/src/main.js"]
