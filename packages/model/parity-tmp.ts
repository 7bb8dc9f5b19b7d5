import { readFileSync } from 'node:fs';
import { tf, initBackend } from '@spo/engine';
import { readHfModel } from './src/index.js';
await initBackend(undefined, () => {});
for (const name of ['llama', 'llama-bf16-sharded', 'qwen2-f16', 'gpt2']) {
  const dir = `src/fixtures/tiny/${name}`;
  const e = JSON.parse(readFileSync(`${dir}/expected.json`, 'utf8'));
  const m = readHfModel(dir, false);
  const got = m.forward(tf.tensor2d(e.input_ids, undefined, 'int32')).logits.dataSync();
  const want = e.logits.flat(2);
  let max = 0, scale = 0;
  for (let i = 0; i < want.length; i++) { max = Math.max(max, Math.abs(got[i] - want[i])); scale = Math.max(scale, Math.abs(want[i])); }
  console.log(`${name}: max |ours − PyTorch| = ${max.toExponential(2)} (largest logit ${scale.toFixed(2)}, ${want.length} logits)`);
}
