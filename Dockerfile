# The API + map editor. Build: docker build -t gridweave .  Run with DATABASE_URL pointing at PostGIS.
FROM node:20-bookworm-slim
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx vite build web
ENV HOST=0.0.0.0 PORT=3000
EXPOSE 3000
USER node
CMD ["npx", "tsx", "server/start.ts"]
