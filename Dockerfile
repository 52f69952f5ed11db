# syntax=docker/dockerfile:1
# Build: compile TypeScript and generate the Prisma client with the same npm scripts CI runs.
FROM node:24-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json prisma.config.ts ./
COPY prisma ./prisma
COPY src ./src
RUN npm run build

# Runtime: production dependencies only, compiled code, views and migrations; runs as a non-root user.
FROM node:24-slim AS runtime
# glibc keeps what it frees resident: MALLOC_ARENA_MAX bounds the per-thread arenas, and the mmap
# threshold hands V8's 32 KB compiler zones back to the OS when freed (see README, Memory).
ENV NODE_ENV=production \
    MALLOC_ARENA_MAX=2 \
    MALLOC_MMAP_THRESHOLD_=32768 \
    PORT=3000 \
    AUTHFLOW_DATA_DIR=/app/data \
    KEYS_DIR=/app/keys
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY prisma/migrations ./prisma/migrations
COPY views ./views
COPY clients.json README.md ./
RUN mkdir -p /app/data /app/keys && chown node:node /app/data /app/keys
USER node
VOLUME ["/app/data", "/app/keys"]
EXPOSE 3000
HEALTHCHECK --interval=15s --timeout=3s --start-period=20s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3000)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# Migrations are applied on start (idempotent, safe with several replicas).
CMD ["node", "dist/main.js"]
