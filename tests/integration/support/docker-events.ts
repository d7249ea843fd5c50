import { spawn, type ChildProcess } from 'node:child_process';

/** A container that ended, as the Docker Engine reported it. */
export interface ContainerExit {
  image: string;
  exitCode: number;
  /** When the engine reported the container's start and death (ms since epoch). */
  startedAt?: number;
  diedAt: number;
}

/**
 * Watches the real engine's event stream (`docker events`) for step containers, so the e2e
 * log can show each container's exit code and run time as the engine saw them.
 */
export class DockerEventsWatcher {
  readonly exits: ContainerExit[] = [];
  private readonly starts = new Map<string, number>();
  private child?: ChildProcess;

  /**
   * Step images are airflow-ml-<step>:<hash> (a step name may hold digits and dashes:
   * gbm-train); local base images (airflow-ml-local/...) are not.
   */
  start(imagePattern = /^airflow-ml-[a-z][a-z0-9-]*:/): void {
    this.child = spawn('docker', [
      'events',
      '--filter',
      'type=container',
      '--filter',
      'event=start',
      '--filter',
      'event=die',
      '--format',
      '{{json .}}',
    ]);
    let buffer = '';
    this.child.stdout?.on('data', (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      const lines = buffer.split('\n');
      buffer = lines.pop() ?? '';
      for (const line of lines) this.onEvent(line, imagePattern);
    });
  }

  private onEvent(line: string, imagePattern: RegExp): void {
    let e: {
      status?: string;
      id?: string;
      timeNano?: number;
      Actor?: { Attributes?: Record<string, string> };
    };
    try {
      e = JSON.parse(line);
    } catch {
      return;
    }
    const attrs = e.Actor?.Attributes ?? {};
    const image = attrs.image ?? '';
    if (!imagePattern.test(image) || !e.id) return;
    const at = Math.round((e.timeNano ?? Date.now() * 1e6) / 1e6);
    if (e.status === 'start') this.starts.set(e.id, at);
    if (e.status === 'die') {
      this.exits.push({
        image,
        exitCode: Number(attrs.exitCode ?? -1),
        startedAt: this.starts.get(e.id),
        diedAt: at,
      });
    }
  }

  /** Exits recorded since `sinceMs`. */
  since(sinceMs: number): ContainerExit[] {
    return this.exits.filter((e) => e.diedAt >= sinceMs);
  }

  stop(): void {
    this.child?.kill();
  }
}
