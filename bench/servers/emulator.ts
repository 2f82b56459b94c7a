/** Child process: the provider emulator, with the run's upstream latency. */
import { startEmulator } from '../../src/emulator/server.js';

const latencyMs = Number(process.argv[2] ?? '0');
const emulator = await startEmulator({ latencyMs, record: false });
process.stdout.write(`READY ${new URL(emulator.url).port}\n`);
process.on('SIGTERM', () => void emulator.close().then(() => process.exit(0)));
