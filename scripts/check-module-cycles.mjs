// Fails when the server's domain modules import each other in a cycle.
// Each folder under apps/server/src/modules is a node; an import from one
// folder's source file (tests excluded) into another's is an edge. The lint
// (eslint.config.js) keeps the layers pointing one way; this keeps the modules
// themselves a graph without cycles, so each can be read and changed with only
// the modules below it in mind.
import fs from 'node:fs';
import path from 'node:path';
import process from 'node:process';

const modulesDir = path.resolve(import.meta.dirname, '../apps/server/src/modules');
const importPattern = /(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g;

/** folder -> folder -> the files whose imports make the edge */
function moduleGraph() {
  const graph = new Map();
  for (const entry of fs.readdirSync(modulesDir, { withFileTypes: true })) {
    if (!entry.isDirectory()) {
      continue;
    }
    const from = entry.name;
    const edges = new Map();
    graph.set(from, edges);
    for (const file of fs.readdirSync(path.join(modulesDir, from))) {
      if (!/\.tsx?$/.test(file) || /\.test\.tsx?$/.test(file)) {
        continue;
      }
      const source = fs.readFileSync(path.join(modulesDir, from, file), 'utf8');
      for (const match of source.matchAll(importPattern)) {
        const target = path.relative(modulesDir, path.resolve(modulesDir, from, match[1]));
        const to = target.split(path.sep)[0];
        if (to === undefined || to === from || to.startsWith('..') || target === to) {
          continue;
        }
        const files = edges.get(to) ?? new Set();
        files.add(`${from}/${file}`);
        edges.set(to, files);
      }
    }
  }
  return graph;
}

/** Strongly connected components with more than one folder (Tarjan). */
function cycles(graph) {
  let index = 0;
  const stack = [];
  const state = new Map();
  const found = [];
  const visit = (node) => {
    state.set(node, { index, low: index, onStack: true });
    index += 1;
    stack.push(node);
    for (const next of graph.get(node)?.keys() ?? []) {
      if (!graph.has(next)) {
        continue;
      }
      if (!state.has(next)) {
        visit(next);
        state.get(node).low = Math.min(state.get(node).low, state.get(next).low);
      } else if (state.get(next).onStack) {
        state.get(node).low = Math.min(state.get(node).low, state.get(next).index);
      }
    }
    if (state.get(node).low === state.get(node).index) {
      const component = [];
      let member;
      do {
        member = stack.pop();
        state.get(member).onStack = false;
        component.push(member);
      } while (member !== node);
      if (component.length > 1) {
        found.push(component.sort());
      }
    }
  };
  for (const node of graph.keys()) {
    if (!state.has(node)) {
      visit(node);
    }
  }
  return found;
}

const graph = moduleGraph();
const found = cycles(graph);
if (found.length > 0) {
  process.stderr.write('Module folders import each other in a cycle:\n');
  for (const component of found) {
    process.stderr.write(`  ${component.join(', ')}\n`);
    for (const from of component) {
      for (const [to, files] of graph.get(from) ?? []) {
        if (component.includes(to)) {
          process.stderr.write(`    ${from} -> ${to}: ${[...files].join(', ')}\n`);
        }
      }
    }
  }
  process.exit(1);
}
