/// <reference types="vitest/config" />
// Vite builds the dashboard for /dashboard/. The Maven build sets DASHBOARD_OUT_DIR to
// target/classes/static/dashboard so the jar serves it; `npm run dev` proxies the API to :8081.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';
import tailwindcss from '@tailwindcss/vite';

export default defineConfig({
  base: '/dashboard/',
  plugins: [react(), tailwindcss()],
  build: {
    outDir: process.env.DASHBOARD_OUT_DIR || 'dist',
    emptyOutDir: true,
    sourcemap: false,
  },
  server: {
    proxy: { '/api': 'http://localhost:8081' },
  },
  test: {
    include: ['src/**/*.test.ts'],
    environment: 'node',
  },
});
