import { spawn } from 'node:child_process';

export interface ExecResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface ExecOptions {
  cwd?: string;
  env?: NodeJS.ProcessEnv;
  /** Each output line as it arrives (progress of long commands such as `compose up`). */
  onLine?: (line: string) => void;
}

/**
 * Run a program without a shell (arguments are never re-parsed) and collect its output.
 * Never throws for a non-zero exit: the caller decides what that means. A missing program
 * resolves with code 127, like a shell would.
 */
export function execFile(
  cmd: string,
  args: string[],
  options: ExecOptions = {},
): Promise<ExecResult> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, { cwd: options.cwd, env: options.env ?? process.env });
    let stdout = '';
    let stderr = '';
    const lines = lineSplitter(options.onLine);
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
      lines(d.toString());
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
      lines(d.toString());
    });
    child.on('error', (err: NodeJS.ErrnoException) =>
      resolve({ code: err.code === 'ENOENT' ? 127 : 126, stdout, stderr: err.message }),
    );
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}

function lineSplitter(onLine?: (line: string) => void): (chunk: string) => void {
  if (!onLine) return () => undefined;
  let pending = '';
  return (chunk) => {
    pending += chunk;
    const parts = pending.split(/\r?\n/);
    pending = parts.pop() ?? '';
    for (const p of parts) if (p.trim()) onLine(p);
  };
}
