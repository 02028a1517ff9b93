/**
 * Git over smart HTTP on 127.0.0.1, as a Git host serves it to Flux's
 * source-controller: Git's own `git http-backend` (CGI) behind a small HTTP
 * server. The served repository starts as one commit of this repository's
 * working tree (tracked and new files, not what .gitignore excludes); the test
 * then changes it only by commits, as a user would.
 */
import { execFileSync, spawn } from 'node:child_process';
import { cpSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { REPO_ROOT } from 'workshop';

export const BRANCH = 'main';
const AUTHOR = ['-c', 'user.name=eks-gitops e2e', '-c', 'user.email=e2e@eks-gitops.invalid'];

export interface GitServer {
  /** The clone URL Flux is given. */
  url: string;
  /** The working copy the test edits; commit() pushes it. */
  checkout: string;
  /** Commits every change in the working copy, pushes it; returns the new revision (`main@sha1:<sha>`, as Flux reports it). */
  commit(message: string): string;
  /** Reads a file of the working copy. */
  read(path: string): string;
  /** Writes a file of the working copy (and the folders it is in). */
  write(path: string, content: string): void;
  close(): Promise<void>;
}

const git = (cwd: string, ...args: string[]) => execFileSync('git', [...AUTHOR, ...args], { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/** Copies this repository's working tree (without ignored files) into `dir`. */
export function copyWorkingTree(dir: string): void {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: REPO_ROOT, encoding: 'utf8' })
    .split('\0')
    .filter(Boolean);
  for (const file of files) {
    const from = join(REPO_ROOT, file);
    try {
      mkdirSync(dirname(join(dir, file)), { recursive: true });
      cpSync(from, join(dir, file));
    } catch (error) {
      // A tracked file deleted in the working tree is not part of it.
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
  }
}

/** Answers one request with `git http-backend`, translating CGI to HTTP. */
function handle(root: string, req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse): void {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const backend = spawn('git', ['http-backend'], {
    env: {
      PATH: process.env.PATH ?? '',
      GIT_PROJECT_ROOT: root,
      GIT_HTTP_EXPORT_ALL: '1',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      REQUEST_METHOD: req.method ?? 'GET',
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      CONTENT_LENGTH: req.headers['content-length'] ?? '',
      // Flux and git may send gzip-compressed upload-pack requests.
      HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
      GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
      REMOTE_ADDR: '127.0.0.1',
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  req.pipe(backend.stdin);
  let head = Buffer.alloc(0);
  let headersDone = false;
  backend.stdout.on('data', (chunk: Buffer) => {
    if (headersDone) {
      res.write(chunk);
      return;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n');
    if (end < 0) return;
    headersDone = true;
    let status = 200;
    for (const line of head.subarray(0, end).toString().split('\r\n')) {
      const [name, ...rest] = line.split(':');
      const value = rest.join(':').trim();
      if (name!.toLowerCase() === 'status') status = Number.parseInt(value, 10);
      else res.setHeader(name!, value);
    }
    res.writeHead(status);
    res.write(head.subarray(end + 4));
  });
  backend.stdout.on('end', () => res.end());
  backend.on('error', () => res.destroy());
}

/** Starts the server; `name` is the repository's name in the URL. */
export async function startGitServer(dir: string, name: string): Promise<GitServer> {
  const root = join(dir, 'served');
  const checkout = join(dir, 'checkout');
  mkdirSync(root, { recursive: true });
  mkdirSync(checkout, { recursive: true });
  copyWorkingTree(checkout);
  git(checkout, 'init', '--quiet', '--initial-branch', BRANCH);
  git(checkout, 'add', '--all');
  git(checkout, 'commit', '--quiet', '--message', 'The working tree under test');
  const bare = join(root, `${name}.git`);
  git(root, 'clone', '--quiet', '--bare', checkout, bare);
  git(checkout, 'remote', 'add', 'origin', bare);

  const server: Server = createServer((req, res) => handle(root, req, res));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/${name}.git`,
    checkout,
    read: (path) => readFileSync(join(checkout, path), 'utf8'),
    write: (path, content) => {
      mkdirSync(dirname(join(checkout, path)), { recursive: true });
      writeFileSync(join(checkout, path), content);
    },
    commit: (message) => {
      git(checkout, 'add', '--all');
      git(checkout, 'commit', '--quiet', '--message', message);
      git(checkout, 'push', '--quiet', 'origin', BRANCH);
      return `${BRANCH}@sha1:${git(checkout, 'rev-parse', 'HEAD')}`;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
