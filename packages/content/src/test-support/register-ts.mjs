// `node --import <this file>` lets a child process run the repository's TypeScript sources.
import { register } from 'node:module';

register('./ts-loader.mjs', import.meta.url);
