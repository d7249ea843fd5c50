import * as fs from 'node:fs';
import * as os from 'node:os';
import {
  isMainThread,
  MessageChannel,
  parentPort,
  receiveMessageOnPort,
  Worker,
  workerData,
  type MessagePort,
} from 'node:worker_threads';
import type { DesignPlan } from './design';
import { sumChunks, type Sums } from './kernel';
import { keepInto, type HalfHelper, type KeptScores } from './logreg';
import { MatrixReader } from './matrix';
import { sortScores } from './sort-scores';
import { spanChunks, type ChunkSpan } from './train-source';

/**
 * A second thread for train's Newton passes: it sums the second half of the training rows
 * (the source's `halves.b`) while the step's own thread sums the first, so a pass takes
 * about half the time on two CPUs. The halves are fixed by the data, not by the threads,
 * and A's sums are always added to B's, so the model is the same to the last bit with one
 * thread or two (the helper missing, failed or too slow: train sums B itself).
 *
 * The helper is the step's own bundle started again as a worker thread; it shares the
 * cached compact rows (SharedArrayBuffer) and reads the rest of its half from the matrix
 * file itself. The step's thread blocks on a shared flag while it waits (its code is
 * synchronous), so replies come on a MessagePort read with receiveMessageOnPort.
 */
const ROLE = 'airflow-ml-train-pass-helper';
/** How long a pass may wait for the helper's half before summing it here instead. */
const REPLY_TIMEOUT_MS = 120_000;
/**
 * How long the helper may take to start. The step's thread cannot see a worker's error
 * events while it blocks, so a helper that never starts (or dies) is noticed by time.
 */
const BOOT_TIMEOUT_MS = 10_000;
/** The shared flags: a reply is waiting; the helper has started; it is ending. */
const REPLIED = 0;
const BOOTED = 1;
const ENDED = 2;

/** Threads train may use: 2 when the process may run on two CPUs (count and cgroup quota). */
export function trainThreads(): number {
  // A test knob (the tests compare one thread with two); not a step flag.
  const forced = process.env.AIRFLOW_ML_TRAIN_THREADS;
  if (forced === '1' || forced === '2') return Number(forced);
  const cpus =
    typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  return cpus >= 2 && cgroupCpus() >= 1.5 ? 2 : 1;
}

/** CPUs the cgroup's quota allows (a container's `cpus`); Infinity without a quota. */
function cgroupCpus(): number {
  const read = (file: string) => {
    try {
      return fs.readFileSync(file, 'utf8').trim(); // a one-line kernel file, not data
    } catch {
      return undefined;
    }
  };
  const v2 = read('/sys/fs/cgroup/cpu.max')?.split(/\s+/);
  if (v2) return v2[0] === 'max' ? Infinity : Number(v2[0]) / Number(v2[1]);
  const quota = Number(read('/sys/fs/cgroup/cpu/cpu.cfs_quota_us'));
  const period = Number(read('/sys/fs/cgroup/cpu/cpu.cfs_period_us'));
  return quota > 0 && period > 0 ? quota / period : Infinity;
}

/** What the helper needs to sum its half: set once, after train has planned the rows. */
interface Setup {
  kind: 'setup';
  file: string;
  plan: DesignPlan;
  span: ChunkSpan;
}

/** B's sums at theta; with `keep`, B's P(y = 1) and targets written there from row `at`. */
interface SumsTask {
  kind: 'sums';
  seq: number;
  theta: Float64Array;
  hessian: boolean;
  keep?: KeptScores;
  at: number;
}

/** Sorts a (shared) array of scores in place, as sortScores. */
interface SortTask {
  kind: 'sort';
  seq: number;
  scores: Float64Array;
}

type Task = SumsTask | SortTask;

interface Reply {
  seq: number;
  sums?: Sums;
  sorted?: boolean;
  error?: string;
}

/** The step's side: starts the helper thread and asks it for B's sums, pass by pass. */
export class PassHelper implements HalfHelper {
  private readonly signal = new Int32Array(new SharedArrayBuffer(12));
  private readonly started = Date.now();
  private readonly port: MessagePort;
  private worker: Worker | undefined;
  private seq = 0;
  /** Why the helper was given up, for the step's summary; undefined while it works. */
  failure: string | undefined;

  /**
   * Starts `entry` (the step's bundle) as the helper, now, so it boots while train reads
   * its rows. Only a bundled step (a .js file) can start itself again.
   */
  static start(entry: string): PassHelper | undefined {
    if (!entry.endsWith('.js')) return undefined;
    return new PassHelper(entry);
  }

  private constructor(entry: string) {
    const { port1, port2 } = new MessageChannel();
    this.port = port1;
    this.worker = new Worker(entry, {
      workerData: { role: ROLE, signal: this.signal, port: port2 },
      transferList: [port2],
      // Its own heap holds a chunk or two; the rows it shares are outside the heap.
      resourceLimits: { maxOldGenerationSizeMb: 64 },
    });
    // A helper that fails is given up (finish() answers undefined); its error is not the
    // step's, which goes on with one thread and the same figures.
    this.worker.on('error', (err) => {
      this.failure ??= err.message;
    });
    this.worker.unref();
  }

  setup(file: string, plan: DesignPlan, span: ChunkSpan): void {
    const msg: Setup = { kind: 'setup', file, plan, span };
    this.worker?.postMessage(msg);
  }

  begin(theta: Float64Array, hessian: boolean, keep?: KeptScores, at = 0): boolean {
    return this.ask({ kind: 'sums', seq: this.seq + 1, theta, hessian, keep, at });
  }

  finish(): Sums | undefined {
    return this.reply()?.sums;
  }

  /** Sorts `scores` (in shared memory) on the helper; false when it cannot. */
  sortAside(scores: Float64Array): boolean {
    if (!(scores.buffer instanceof SharedArrayBuffer)) return false;
    return this.ask({ kind: 'sort', seq: this.seq + 1, scores });
  }

  /** Whether the array given to sortAside is sorted (else the caller sorts it itself). */
  sortedAside(): boolean {
    return this.reply()?.sorted === true;
  }

  private ask(task: Task): boolean {
    if (!this.worker || this.failure) return false;
    this.seq = task.seq;
    Atomics.store(this.signal, REPLIED, 0);
    this.worker.postMessage(task);
    return true;
  }

  private reply(): Reply | undefined {
    const deadline = Date.now() + REPLY_TIMEOUT_MS;
    for (;;) {
      const got = receiveMessageOnPort(this.port);
      if (got) {
        const reply = got.message as Reply;
        if (reply.seq !== this.seq) continue; // a late answer to a task given up on
        if (!reply.error) return reply;
        this.giveUp(reply.error);
        return undefined;
      }
      const now = Date.now();
      const booted = Atomics.load(this.signal, BOOTED) === 1;
      if (Atomics.load(this.signal, ENDED) === 1) {
        this.giveUp('it ended');
        return undefined;
      }
      if (!booted && now - this.started > BOOT_TIMEOUT_MS) {
        this.giveUp(`it did not start in ${BOOT_TIMEOUT_MS / 1000} s`);
        return undefined;
      }
      if (now >= deadline || this.failure) {
        this.giveUp(this.failure ?? `no answer in ${REPLY_TIMEOUT_MS / 1000} s`);
        return undefined;
      }
      Atomics.wait(this.signal, REPLIED, 0, Math.min(deadline - now, 250));
      Atomics.store(this.signal, REPLIED, 0);
    }
  }

  close(): void {
    void this.worker?.terminate();
    this.worker = undefined;
    this.port.close();
  }

  private giveUp(why: string): void {
    this.failure ??= why;
    this.close();
  }
}

/** Whether this thread is a pass helper (the step's bundle started by PassHelper). */
export function isPassHelper(): boolean {
  return !isMainThread && (workerData as { role?: string } | null)?.role === ROLE;
}

/** The helper's side: answers each task with its half's sums, until terminated. */
export function servePassHelper(): void {
  const { signal, port } = workerData as { signal: Int32Array; port: MessagePort };
  let half: { plan: DesignPlan; chunks: ReturnType<typeof spanChunks> } | undefined;
  let setupError: string | undefined;
  const answer = (reply: Reply) => {
    port.postMessage(reply);
    Atomics.store(signal, REPLIED, 1);
    Atomics.notify(signal, REPLIED);
  };
  Atomics.store(signal, BOOTED, 1);
  // Its error events cannot reach a step thread that blocks, so an end (an uncaught error,
  // process.exit) is told through the flags; one V8 cannot run code for (out of memory) is
  // noticed by the reply timeout.
  process.on('exit', () => {
    Atomics.store(signal, ENDED, 1);
    Atomics.notify(signal, REPLIED);
  });
  const work = (msg: Task): Reply => {
    if (msg.kind === 'sort') {
      sortScores(msg.scores);
      return { seq: msg.seq, sorted: true };
    }
    if (!half) throw new Error(setupError ?? 'a pass before setup');
    const { plan, chunks } = half;
    const visit = msg.keep ? keepInto(msg.keep, msg.at) : undefined;
    const np = plan.patterns.length;
    const sums = sumChunks(chunks, msg.theta, plan.denseCols.length, np, msg.hessian, visit);
    return { seq: msg.seq, sums };
  };
  parentPort?.on('message', (msg: Setup | Task) => {
    if (msg.kind === 'setup') {
      try {
        // The reader stays open for the thread's life: descriptors are the process's, and
        // the step process ends soon after its helper (one descriptor, for train's run).
        const reader = MatrixReader.open(msg.file);
        half = { plan: msg.plan, chunks: spanChunks(msg.span, msg.plan, reader) };
      } catch (err) {
        setupError = err instanceof Error ? err.message : String(err);
      }
      return;
    }
    try {
      answer(work(msg));
    } catch (err) {
      answer({ seq: msg.seq, error: err instanceof Error ? err.message : String(err) });
    }
  });
}
