/**
 * For crash tests with real processes: runs a fixture script (as one node process with tsx's
 * loader, so SIGKILL kills the writer itself) that prints one line per acknowledged step, hands
 * each line to the caller, and kills the fixture with SIGKILL `delayMs` after its `lines`-th line.
 */
import { spawn } from 'node:child_process';

/** Runs `fixture` until it has printed `lines` lines (plus `delayMs`), then kills it with SIGKILL. */
export function runAndKill(
  fixture: string,
  args: readonly string[],
  options: { lines: number; delayMs?: number; onLine: (line: string) => void },
): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
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
        options.onLine(line);
        if (++seen !== options.lines) continue;
        // A delay after the line puts the kill anywhere in the steps that follow.
        if (options.delayMs === undefined || options.delayMs <= 0) child.kill('SIGKILL');
        else setTimeout(() => child.kill('SIGKILL'), options.delayMs);
      }
    });
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve();
      else reject(new Error(`fixture exited with ${code ?? signal} before it was killed: ${stderr}`));
    });
  });
}

/** Kills the fixture right after its `acks`-th line; resolves with the last number it printed. */
export async function runUntilKilled(
  fixture: string,
  args: readonly string[],
  acks: number,
): Promise<number> {
  let last = -1;
  await runAndKill(fixture, args, {
    lines: acks,
    onLine: (line) => {
      last = Number(line);
    },
  });
  return last;
}
