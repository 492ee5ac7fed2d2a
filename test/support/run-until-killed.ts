/**
 * For crash tests with real processes: runs a fixture script (as one node process with tsx's
 * loader, so SIGKILL kills the writer itself) that prints one acknowledged number per line, and
 * kills it with SIGKILL after `acks` of them. Resolves with the last number acknowledged.
 */
import { spawn } from 'node:child_process';

export function runUntilKilled(fixture: string, args: readonly string[], acks: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let last = -1;
    let seen = 0;
    let buffered = '';
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.stdout.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        last = Number(line);
        if (++seen === acks) child.kill('SIGKILL');
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(last);
      else reject(new Error(`fixture exited with ${code}: ${stderr}`));
    });
  });
}
