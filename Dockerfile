# syntax=docker/dockerfile:1
# Trailbot image: build on a supported Node LTS, run as the unprivileged `node` user.
# CI has no Docker engine, so .ci/rehearse-dockerfile.mjs runs this file's RUN steps in a scratch copy
# of the repo and starts the runtime's command: keep every step a plain shell command.

FROM node:22-bookworm-slim AS build
# better-sqlite3 compiles its native module when no prebuilt binary matches.
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
COPY src ./src
COPY samples ./samples
COPY local-page ./local-page
# `npm ci` installs and builds (the prepare script runs tsc); then drop the dev dependencies.
RUN npm ci --no-audit --no-fund
RUN npm prune --omit=dev --no-audit --no-fund

FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app/package.json ./package.json
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/samples ./samples
COPY --from=build /app/local-page ./local-page
COPY manifest.yml iam-policy.json ./
USER node
EXPOSE 3000
ENTRYPOINT ["node", "dist/cli.js"]
CMD ["serve"]
