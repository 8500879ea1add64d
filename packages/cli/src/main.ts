process.stdout.write('oras (not yet implemented)\n');
