import { StepExit, usageError } from '../../../docker/steps/src/lib/errors';
import { runMain } from '../../../docker/steps/src/lib/main';

describe('runMain (the process boundary)', () => {
  let err: jest.SpyInstance;
  let out: jest.SpyInstance;
  beforeEach(() => {
    err = jest.spyOn(process.stderr, 'write').mockImplementation(() => true);
    out = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    process.exitCode = undefined;
  });
  afterEach(() => {
    err.mockRestore();
    out.mockRestore();
    process.exitCode = undefined;
  });

  it('prints the summary on stdout and keeps exit code 0', () => {
    runMain('split', () => ({ summary: 'done' }));
    expect(out).toHaveBeenCalledWith('split: done\n');
    expect(process.exitCode).toBeUndefined();
  });

  it('prints exactly one line on stderr and the error exit code', () => {
    runMain('train', () => {
      throw usageError('unknown flag --x;\nknown: --c');
    });
    expect(err).toHaveBeenCalledTimes(1);
    expect(err).toHaveBeenCalledWith('train: error: unknown flag --x; known: --c\n');
    expect(process.exitCode).toBe(StepExit.usage);
  });

  it('reports unexpected errors as internal (70) on one line', () => {
    runMain('predict', () => {
      throw new TypeError('x is undefined');
    });
    expect(err).toHaveBeenCalledWith('predict: internal error: x is undefined\n');
    expect(process.exitCode).toBe(70);
  });
});
