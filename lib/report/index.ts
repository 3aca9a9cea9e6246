/**
 * Notebook and report helpers. In a notebook cell (tslab kernel, repository root as TypeScript
 * root):
 *
 *   import { showChart, showTable, showMarkdown } from './lib/report';
 *
 * `frames` (danfojs-node) is re-exported too; danfojs itself is only loaded when one of its
 * functions is first called.
 */
export * from './charts';
export * from './display';
export * from './table';
export * from './frames';
export * from './stamp';
