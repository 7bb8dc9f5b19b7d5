import { tf, initBackend } from './packages/engine/src/index.js';
await initBackend('wasm');
const heap = () => Math.round(((tf.backend() as any).wasm.HEAPU8.byteLength) / 2 ** 20);
const keep = [];
try { for (let i = 0; i < 100; i++) { keep.push(tf.zeros([64, 1024, 1024])); console.log(i, heap()); } } catch (e) { console.log('fail', (e as Error).message.slice(0, 200)); }
