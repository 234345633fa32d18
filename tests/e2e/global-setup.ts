/**
 * vitest globalSetup for the `e2e` project: serves the built app and a second, cross-origin "remote" server,
 * and hands their URLs to specs via `inject('appUrl')` / `inject('remoteUrl')`.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';
import { startServer, type RunningServer } from './serve.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The built app (dist/), e.g. `http://localhost:40001/`. Also serves `/samples/` and `/fixtures/`. */
    appUrl: string;
    /**
     * A different origin (127.0.0.1 instead of localhost) with Hub-like CORS, serving `/samples/` and `/fixtures/`:
     * stands in for `https://huggingface.co/datasets/...` URLs.
     */
    remoteUrl: string;
    /** Path on both servers returning their request counters as JSON; append `/reset` to clear them. */
    statsPath: string;
    /** Absolute path of the repository root. */
    repoRoot: string;
  }
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const STATS_PATH = '/__stats';

/** Starts both servers; the returned function stops them after the run. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dist = path.join(repoRoot, 'dist');
  if (!existsSync(path.join(dist, 'index.html'))) {
    throw new Error(`e2e tests need the built app, but ${dist}/index.html is missing: run \`npm run build\` first.`);
  }
  const mounts = {
    // Real sample files by others, copied into the repo from ../shared/samples so a clone is self-contained.
    '/samples/': path.join(repoRoot, 'tests/fixtures/samples'),
    '/fixtures/': path.join(repoRoot, 'tests/fixtures'),
  };
  const servers: RunningServer[] = [];
  try {
    // Listen on 127.0.0.1 but name it localhost: a different origin from the remote server on the same machine.
    const app = await startServer({ root: dist, mounts, urlHost: 'localhost', statsPath: STATS_PATH });
    servers.push(app);
    const remote = await startServer({ root: dist, mounts, cors: true, statsPath: STATS_PATH });
    servers.push(remote);
    project.provide('appUrl', app.url);
    project.provide('remoteUrl', remote.url);
    project.provide('statsPath', STATS_PATH);
    project.provide('repoRoot', repoRoot);
  } catch (err) {
    await Promise.all(servers.map((s) => s.close()));
    throw err;
  }
  return async () => {
    await Promise.all(servers.map((s) => s.close()));
  };
}
