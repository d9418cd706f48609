// Colors for human output. chalk is loaded only when colors are on (a terminal, no NO_COLOR, no
// --no-color): its terminal detection pulls in node:tty and node:net, a measurable part of every run
// that prints to a pipe or a file (bench/). Without colors every style is the identity.
import type { ChalkInstance } from 'chalk';

export type Paint = ChalkInstance;

const plain: Paint = new Proxy(((...text: unknown[]) => text.join(' ')) as unknown as Paint, { get: () => plain });
let loaded: Paint | undefined;

/** Call once (awaited) before rendering when `color` may be on. */
export async function loadPaint(color: boolean): Promise<void> {
  if (color && !loaded) {
    const { Chalk } = await import('chalk');
    loaded = new Chalk({ level: 1 });
  }
}

export function paint(color: boolean): Paint {
  return color && loaded ? loaded : plain;
}
