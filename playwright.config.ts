import { defineConfig } from '@playwright/test';

/**
 * Browser tests of the lab (test/browser/*.spec.ts) in headless Chromium from the system
 * package (`apt-get install -y chromium`): Playwright's own browser downloads are not used.
 * The lab is built and served by `vite preview` on 127.0.0.1:4173 (LAB_PORT to change it). Results also go to
 * .ci-out/playwright.json (counted by CI) and screenshots to .ci-out/screenshots/.
 */
const executablePath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** The preview server's port: 4173, or LAB_PORT (to run two checkouts' tests side by side). */
const port = Number(process.env.LAB_PORT ?? 4173);

export default defineConfig({
  testDir: 'test/browser',
  testMatch: '*.spec.ts',
  timeout: 60_000,
  expect: { timeout: 20_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  reporter: [['list'], ['json', { outputFile: '.ci-out/playwright.json' }]],
  outputDir: '.ci-out/playwright-artifacts',
  use: {
    baseURL: `http://127.0.0.1:${port}`,
    viewport: { width: 1400, height: 1000 },
    launchOptions: {
      executablePath,
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-quic',
        '--no-first-run',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
      ],
    },
  },
  webServer: {
    command: `./node_modules/.bin/vite build --logLevel warn && ./node_modules/.bin/vite preview --port ${port}`,
    url: `http://127.0.0.1:${port}`,
    reuseExistingServer: !process.env.CI,
    timeout: 120_000,
  },
});
