// Debian's Chromium (apt-get install chromium) through playwright-core: never a browser download.
import { chromium, type Browser } from 'playwright-core';

const QUIET = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: [...QUIET, ...extraArgs] });
}
