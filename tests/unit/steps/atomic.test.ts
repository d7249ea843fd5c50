import * as fs from 'node:fs';
import * as path from 'node:path';
import { withOutputs } from '../../../docker/steps/src/lib/atomic';
import { listFiles, tmpDir } from './helpers';

describe('atomic outputs', () => {
  it('renames every output into place only when all are complete', () => {
    const dir = tmpDir();
    const a = path.join(dir, 'x', 'y', 'a.txt');
    const b = path.join(dir, 'x', 'b.bin');
    withOutputs((out) => {
      const f = out.open(a);
      f.write('hello ');
      f.write(Buffer.alloc(3 << 20, 65)); // larger than the write buffer
      out.writeFile(b, new Uint8Array([1, 2, 3]));
      expect(fs.existsSync(a)).toBe(false); // still under a temp name
      expect(listFiles(dir).filter((p) => !path.basename(p).startsWith('.'))).toEqual([]);
    });
    expect(listFiles(dir)).toEqual(['x/b.bin', 'x/y/a.txt']);
    expect(fs.statSync(a).size).toBe(6 + (3 << 20));
  });

  it('on failure removes its temp files and the folders it created, nothing else', () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'keep.txt'), 'mine');
    expect(() =>
      withOutputs((out) => {
        out.writeFile(path.join(dir, 'new', 'deep', 'a.txt'), 'partial');
        out.writeFile(path.join(dir, 'b.txt'), 'partial');
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(listFiles(dir)).toEqual(['keep.txt']);
    expect(fs.existsSync(path.join(dir, 'new'))).toBe(false);
  });

  it('replaces an existing output atomically', () => {
    const dir = tmpDir();
    const f = path.join(dir, 'm.json');
    fs.writeFileSync(f, 'old');
    withOutputs((out) => out.writeFile(f, 'new'));
    expect(fs.readFileSync(f, 'utf8')).toBe('new');
  });

  it('names the output when its folder cannot be created', () => {
    const dir = tmpDir();
    fs.writeFileSync(path.join(dir, 'file'), '');
    expect(() =>
      withOutputs((out) => out.writeFile(path.join(dir, 'file', 'sub', 'x.csv'), '')),
    ).toThrow(/file\/sub: cannot create folder/);
  });
});

describe('stale temp files from a killed try', () => {
  it('are swept when the same output is opened again; other files are kept', () => {
    const dir = tmpDir();
    // What a try killed by a signal leaves: temps of two outputs, plus an unrelated file.
    fs.writeFileSync(path.join(dir, '.model.json.tmp-7-abc'), 'half a model');
    fs.writeFileSync(path.join(dir, '.model.json.tmp-8-def'), 'another half');
    fs.writeFileSync(path.join(dir, '.metrics.json.tmp-7-abc'), 'not this output');
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'mine');
    withOutputs((out) => out.writeFile(path.join(dir, 'model.json'), '{}'));
    expect(listFiles(dir)).toEqual(['.metrics.json.tmp-7-abc', 'model.json', 'notes.txt']);
  });
});
