#!/usr/bin/env node
// Entry point of the `lab` CLI (`npx lab --help`): the compiled program lives in ../dist.
import('../dist/main.js').then(
  (m) => m.main(process.argv),
  (error) => {
    console.error(`lab: cannot load the CLI (${error.message}). Build it first: npm run build`);
    process.exitCode = 1;
  },
);
