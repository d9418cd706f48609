// The promise API of node:fs, backed by the synchronous calls. duo-jira does one thing at a time, so each
// thread-pool round trip of the real promise API is pure waiting: on an install they added up to more
// than the file work itself (bench/). Same signatures and errors, so callers read as ordinary fs code.
import * as s from 'node:fs';

type Opt<T extends (...a: never[]) => unknown> = Parameters<T>;

export const quickFs = {
  constants: s.constants,
  stat: async (...a: Opt<typeof s.statSync>) => s.statSync(...a) as s.Stats,
  readFile: (async (path: s.PathLike, enc?: BufferEncoding | { encoding?: BufferEncoding | null }) => s.readFileSync(path, enc as BufferEncoding)) as {
    (path: s.PathLike): Promise<Buffer>;
    (path: s.PathLike, enc: BufferEncoding | { encoding: BufferEncoding }): Promise<string>;
  },
  readdir: async (path: s.PathLike) => s.readdirSync(path),
  access: async (path: s.PathLike, mode?: number) => s.accessSync(path, mode),
  mkdir: async (path: s.PathLike, opts?: s.MakeDirectoryOptions) => { s.mkdirSync(path, opts); },
  chmod: async (path: s.PathLike, mode: s.Mode) => s.chmodSync(path, mode),
  rm: async (path: s.PathLike, opts?: s.RmOptions) => s.rmSync(path, opts),
  writeFile: async (path: s.PathLike, data: string | Uint8Array, opts?: s.WriteFileOptions) => s.writeFileSync(path, data, opts),
  link: async (existing: s.PathLike, target: s.PathLike) => s.linkSync(existing, target),
  realpath: async (path: s.PathLike) => s.realpathSync(path),
  mkdtemp: async (prefix: string) => s.mkdtempSync(prefix),
  /** The last `len` bytes before `end` of a file. */
  readRange: async (path: s.PathLike, position: number, len: number) => {
    const fd = s.openSync(path, 'r');
    try {
      const buf = Buffer.alloc(len);
      const n = s.readSync(fd, buf, 0, len, position);
      return buf.subarray(0, n);
    } finally {
      s.closeSync(fd);
    }
  },
};
