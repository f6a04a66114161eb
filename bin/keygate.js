#!/usr/bin/env node
import './node-line.js';
import { main } from '../dist/cli/main.js';

await main(process.argv);
