// The lines of a data file, streamed: plain text, gzip (.gz) or the CSV inside a zip (.zip), never loaded whole.
import { createReadStream } from 'node:fs';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import yauzl from 'yauzl';

/** A line of a file, numbered from 1 (blank lines keep their numbers, so errors point at the right line). */
export interface NumberedLine {
  readonly text: string;
  readonly line: number;
}

/** The file's lines in order; CRLF and LF both end a line. A zip must hold exactly one .csv entry. */
export async function* readLines(file: string): AsyncGenerator<NumberedLine> {
  for await (const batch of readLineBatches(file)) {
    for (let index = 0; index < batch.lines.length; index++) yield { text: batch.lines[index]!, line: batch.firstLine + index };
  }
}

/** A run of consecutive lines: `lines[i]` is line `firstLine + i`. */
export interface LineBatch {
  readonly lines: readonly string[];
  readonly firstLine: number;
}

/**
 * The file's lines a chunk at a time (each read of the stream, ~64 KiB): what the readers use, so the cost of
 * asynchronous iteration is paid per chunk rather than per row. A line split across chunks is joined.
 */
export async function* readLineBatches(file: string): AsyncGenerator<LineBatch> {
  const input = await openDecompressed(file);
  input.setEncoding('utf8');
  let carry = '';
  let nextLine = 1;
  try {
    for await (const chunk of input as AsyncIterable<string>) {
      const lines = (carry + chunk).split('\n');
      carry = lines.pop()!;
      if (lines.length === 0) continue;
      for (let index = 0; index < lines.length; index++) {
        const text = lines[index]!;
        if (text.endsWith('\r')) lines[index] = text.slice(0, -1);
      }
      yield { lines, firstLine: nextLine };
      nextLine += lines.length;
    }
    if (carry !== '') yield { lines: [carry.endsWith('\r') ? carry.slice(0, -1) : carry], firstLine: nextLine };
  } finally {
    input.destroy();
  }
}

/** The file's bytes as text, decompressed by its extension. */
export async function openDecompressed(file: string): Promise<Readable> {
  const extension = path.extname(file).toLowerCase();
  if (extension === '.zip') return openZipEntry(file);
  const raw = createReadStream(file);
  if (extension !== '.gz') return raw;
  const gunzip = createGunzip();
  raw.on('error', (error) => gunzip.destroy(error));
  return raw.pipe(gunzip);
}

function openZipEntry(file: string): Promise<Readable> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: false }, (openError, zip) => {
      if (openError !== null || zip === undefined) {
        reject(new Error(`not a readable zip file (${openError?.message ?? 'unknown error'})`));
        return;
      }
      const csvEntries: yauzl.Entry[] = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        if (!entry.fileName.endsWith('/') && /\.(csv|txt)$/i.test(entry.fileName)) csvEntries.push(entry);
        zip.readEntry();
      });
      zip.on('error', (error: Error) => reject(new Error(`not a readable zip file (${error.message})`)));
      zip.on('end', () => {
        if (csvEntries.length !== 1) {
          zip.close();
          reject(new Error(`a data zip must hold exactly one .csv file, found ${csvEntries.length}${csvEntries.length > 0 ? ` (${csvEntries.map((entry) => entry.fileName).join(', ')})` : ''}`));
          return;
        }
        zip.openReadStream(csvEntries[0]!, (streamError, stream) => {
          if (streamError !== null || stream === undefined) {
            zip.close();
            reject(new Error(`cannot read ${csvEntries[0]!.fileName} (${streamError?.message ?? 'unknown error'})`));
            return;
          }
          // The zip's file stays open while its entry is read (autoClose would close it at the end of the listing).
          stream.once('close', () => zip.close());
          resolve(stream);
        });
      });
      zip.readEntry();
    });
  });
}
