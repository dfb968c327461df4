import { resolve } from 'node:path';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The keygraph server the dev server forwards API calls to (`keygraph dev` listens on 8080).
const api = process.env.KEYGRAPH_URL ?? 'http://127.0.0.1:8080';

/**
 * Two pages, both served by keygraph from dist/: the UI (index.html, under /ui/, whose client-side
 * routes keygraph answers with index.html) and the GraphQL IDE (graphiql.html, answered on
 * GET /graphql). Assets are hashed and referenced under /ui/, so both pages find them.
 */
export default defineConfig({
  base: '/ui/',
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2020',
    chunkSizeWarningLimit: 2500,
    rollupOptions: {
      input: {
        index: resolve(__dirname, 'index.html'),
        graphiql: resolve(__dirname, 'graphiql.html'),
      },
    },
  },
  server: {
    // The IDE page reads ../schema/schema.graphql (see src/graphiql.tsx).
    fs: { allow: ['..'] },
    proxy: {
      '/graphql': { target: api, ws: true, changeOrigin: false },
      '/session': { target: api, changeOrigin: false },
    },
  },
});
