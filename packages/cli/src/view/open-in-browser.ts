// `spo report --open`: the page in the desktop's browser where there is one (xdg-open, open, start);
// on a machine without a desktop, where to find it.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

export function openInBrowser(file: string): void {
  const url = pathToFileURL(resolve(file)).href;
  const [command, ...args] =
    process.platform === 'darwin'
      ? ['open', url]
      : process.platform === 'win32'
        ? ['cmd', '/c', 'start', '', url]
        : ['xdg-open', url];
  const child = spawn(command, args, { stdio: 'ignore', detached: true });
  child.on('error', () => console.error(`[report] no browser to open here; the page is ${url}`));
  child.unref();
  console.error(`[report] opening ${url}`);
}
