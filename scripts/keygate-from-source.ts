// `keygate` run from its TypeScript sources (under tsx), for `npm run dev`.
import { main } from '../src/cli/main.js';

await main(process.argv);
