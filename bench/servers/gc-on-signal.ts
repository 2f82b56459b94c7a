/**
 * Preloaded into every process the bench measures (Portkey's too): on SIGUSR2, a full garbage
 * collection, so "RSS after each round" measures what is retained, not where the GC happened to be.
 */
process.on('SIGUSR2', () => (globalThis as { gc?: () => void }).gc?.());
