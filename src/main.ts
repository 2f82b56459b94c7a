/** `npm start` / `node dist/src/main.js`: the server. */
import { reportStartFailure, runServer } from './server.js';

runServer().catch(reportStartFailure);
