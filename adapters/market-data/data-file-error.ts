// The error of a market-data file: which file, which line, and what is wrong with it.
import { CsvFormatError } from './csv.ts';

/** A row (or header) of a data file that cannot be read; `line` counts from 1 at the file's first line. */
export class DataFileError extends CsvFormatError {
  override name = 'DataFileError';
  constructor(
    readonly file: string,
    line: number,
    problem: string,
  ) {
    super(line, problem);
    // Line 0: the file as a whole (it cannot be opened or decompressed).
    this.message = line > 0 ? `${file} line ${line}: ${problem}` : `${file}: ${problem}`;
  }
}

/**
 * The error a file reader throws for `error`, raised at `line` of `file`: a row problem keeps its own line, a
 * read failure (a broken gzip, a missing file) is told at the last line reached.
 */
export function dataFileError(file: string, line: number, error: unknown): DataFileError {
  if (error instanceof DataFileError) return error;
  if (error instanceof CsvFormatError) return new DataFileError(file, error.line, error.problem);
  return new DataFileError(file, line, (error as Error).message);
}
