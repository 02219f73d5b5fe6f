#!/usr/bin/env node
// The installed `fillstate` command: runs src/cli.ts through tsx's loader (the package ships TypeScript).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
