#!/usr/bin/env node
/** `atlas-lens`: the CLI bundle (cli-main.js), started through the code cache (code-cache.ts). */
import * as path from 'node:path';
import { runWithCodeCache } from './code-cache';

runWithCodeCache(path.join(__dirname, 'cli-main.js'), path.join(__dirname, 'cli-main.cache'));
