// Loaded into the soak bench's daemon only (node --expose-gc --import): SIGUSR2 runs a full garbage collection
// and prints the heap then in use, so the bench reads the heap the daemon retains rather than garbage a lazy
// collector has not freed yet.
process.on('SIGUSR2', () => {
  globalThis.gc();
  process.stderr.write(`fillstate-soak-collected heapUsed=${process.memoryUsage().heapUsed}\n`);
});
