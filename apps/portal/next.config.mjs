// Next.js settings for the portal: the monorepo root for tracing and Turbopack, and no telemetry headers.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** @type {import('next').NextConfig} */
const config = {
  poweredByHeader: false,
  reactStrictMode: true,
  outputFileTracingRoot: root,
  turbopack: { root },
  serverExternalPackages: ['@flotilla/pki'],
  experimental: { serverActions: { bodySizeLimit: '3mb' } },
};

export default config;
