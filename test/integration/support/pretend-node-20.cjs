// Preloaded with NODE_OPTIONS=--require to make this Node.js report itself as 20.19.0 (which lacks
// node:sqlite), so a test can check what `start` says on an unsupported version without one.
Object.defineProperty(process, 'versions', { value: { ...process.versions, node: '20.19.0' } });
