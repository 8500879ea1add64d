// Preloaded into the registry process (`node --require`): our parent holds the other end of stdin,
// so stdin ends when the parent exits, even by SIGKILL. No registry outlives the check.
process.stdin.on('end', () => process.exit(0));
process.stdin.on('error', () => process.exit(0));
process.stdin.resume();
