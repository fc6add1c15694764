// Proves the node interpreter works: one line on stdout, exit 0.
console.log('hello from node');
