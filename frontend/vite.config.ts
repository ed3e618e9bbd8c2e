/// <reference types="vitest/config" />
import vue from '@vitejs/plugin-vue';
import { quasar, transformAssetUrls } from '@quasar/vite-plugin';
import { fileURLToPath, URL } from 'node:url';
import { defineConfig } from 'vite';

// The API the dev server forwards to (`co2calc serve --port 8765` by default).
const apiTarget = process.env.CO2CALC_API_URL ?? 'http://127.0.0.1:8765';

export default defineConfig({
  // Absolute asset URLs, so deep links such as /back-office/data-management load their assets.
  base: '/',
  plugins: [vue({ template: { transformAssetUrls } }), quasar({ sassVariables: false })],
  resolve: {
    alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) },
  },
  build: {
    outDir: 'dist',
    // Never inline assets as data: URLs or scripts; the page is served under a strict CSP.
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1500,
  },
  server: {
    proxy: { '/api': { target: apiTarget, changeOrigin: false } },
  },
  test: {
    environment: 'happy-dom',
    include: ['src/**/*.spec.ts'],
  },
});
