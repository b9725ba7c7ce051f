// The shared test kit: a real hub started as a child process, a webhook
// receiver on node:http, and the one wait helper.
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** A Hub is a running `bellhop serve` and the test key it created. */
export interface Hub {
  baseUrl: string;
  apiKey: string;
  stop(): Promise<void>;
}

const alnum = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

function randomAlnum(n: number): string {
  return Array.from(randomBytes(n), (b) => alnum[b % alnum.length]).join("");
}

/**
 * startHub runs the binary named by BELLHOP_BIN (default the repository's
 * bin/bellhop, as `make build` writes it) on a free loopback port and waits
 * for /healthz. With REDIS_URL it shares that Redis under a prefix of its
 * own; without, the hub runs an embedded one.
 */
export async function startHub(): Promise<Hub> {
  const bin = process.env.BELLHOP_BIN ?? fileURLToPath(new URL("../../../../bin/bellhop", import.meta.url));
  if (!existsSync(bin)) throw new Error(`no hub binary at ${bin}: run make build, or set BELLHOP_BIN`);
  const addr = `127.0.0.1:${await freePort()}`;
  const apiKey = `bh_test_${randomAlnum(32)}`;
  const pluginDir = mkdtempSync(join(tmpdir(), "bellhop-sdk-plugins-")); // none: the SDK's tests need no connector
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    BELLHOP_ADDR: addr,
    BELLHOP_BOOTSTRAP_KEY: apiKey,
    BELLHOP_PLUGIN_DIR: pluginDir,
    BELLHOP_LOG_LEVEL: "warn",
  };
  const redisUrl = process.env.REDIS_URL;
  const prefix = `sdkts:${randomAlnum(8)}:`;
  if (redisUrl) {
    env.BELLHOP_REDIS_PREFIX = prefix;
    env.BELLHOP_MASTER_KEY = randomBytes(32).toString("base64");
  }
  const child = spawn(bin, ["serve"], { env, stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout?.on("data", (b: Buffer) => (output += b));
  child.stderr?.on("data", (b: Buffer) => (output += b));
  const baseUrl = `http://${addr}`;
  try {
    await eventually(async () => child.exitCode === null && (await fetch(`${baseUrl}/healthz`)).ok, 20_000);
  } catch (err) {
    child.kill("SIGKILL");
    throw new Error(`the hub did not come up: ${err}\n${output}`);
  }
  return {
    baseUrl,
    apiKey,
    stop: async () => {
      await stopChild(child);
      rmSync(pluginDir, { recursive: true, force: true });
      if (redisUrl) deletePrefix(redisUrl, prefix);
    },
  };
}

// deletePrefix removes the keys the hub wrote to a shared Redis, as the Go
// tests' redistest does, with redis-cli (CI installs it; without it the keys
// stay, under a prefix no other test uses).
function deletePrefix(url: string, prefix: string): void {
  const scan = spawnSync("redis-cli", ["-u", url, "--scan", "--pattern", `${prefix}*`], { encoding: "utf8" });
  if (scan.status !== 0) return;
  const keys = scan.stdout.split("\n").filter(Boolean);
  for (let i = 0; i < keys.length; i += 500) spawnSync("redis-cli", ["-u", url, "UNLINK", ...keys.slice(i, i + 500)]);
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}

/** A Received is one request a Receiver got. */
export interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/**
 * A Receiver is a node:http server on loopback that records every request
 * and answers each with what `answer` says (200 by default; "hang" for no
 * answer at all).
 */
export interface Receiver {
  url: string;
  received: Received[];
  close(): Promise<void>;
}

export async function startReceiver(
  answer: (req: Received, index: number) => { status: number; headers?: Record<string, string>; body?: string } | "hang" = () => ({ status: 200 }),
): Promise<Receiver> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const got = { method: req.method ?? "", url: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks) };
      received.push(got);
      const answered = answer(got, received.length - 1);
      if (answered === "hang") return; // never answers; close() drops the connection
      const { status, headers, body } = answered;
      res.writeHead(status, { "Content-Type": "application/json", ...headers }).end(body ?? "{}");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections?.();
        server.close(() => resolve());
      }),
  };
}

/** eventually polls cond until it holds, or fails after timeoutMs: the one way a test waits. */
export async function eventually(cond: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      if (await cond()) return;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms${last ? `: ${last}` : ""}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** freePort asks the kernel for a loopback port nobody listens on. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}
