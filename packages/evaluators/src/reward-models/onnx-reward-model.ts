// An ONNX sequence-classification reward model from a local folder (config.json, tokenizer.json,
// tokenizer_config.json, onnx/model.onnx: the layout Hugging Face Optimum exports), run through
// @huggingface/transformers on onnxruntime. The score is the single logit (num_labels 1), or, for a
// two-label classifier, the logit of the label its config calls positive minus the other.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { transformersModule } from '@spo/data';
import type { RewardScorer } from './reward-scorer.js';

export interface OnnxRewardModelOptions {
  /**
   * "pair": the tokenizer's text pair (prompt, response), as reward models trained on (question, answer) expect;
   * "concat": prompt + response as one text.
   */
  input: 'pair' | 'concat';
  /** Tokens kept per input (truncated from the end by the tokenizer). */
  maxLength: number;
  batchSize: number;
}

export async function onnxRewardScorer(dir: string, o: OnnxRewardModelOptions): Promise<RewardScorer> {
  const folder = resolve(dir);
  for (const file of ['config.json', 'tokenizer.json', join('onnx', 'model.onnx')]) {
    if (!existsSync(join(folder, file)))
      throw new Error(
        `eval.rewardModel.path: ${folder} has no ${file}; an ONNX reward model folder holds config.json, ` +
          `tokenizer.json, tokenizer_config.json and onnx/model.onnx`,
      );
  }
  const config = JSON.parse(readFileSync(join(folder, 'config.json'), 'utf8'));
  const labels = Number(config.num_labels ?? Object.keys(config.id2label ?? { 0: 0 }).length);
  if (labels !== 1 && labels !== 2)
    throw new Error(
      `${join(folder, 'config.json')}: a reward model has 1 label (a score) or 2 (bad, good); this one has ${labels}`,
    );
  const { AutoTokenizer, AutoModelForSequenceClassification } = transformersModule();
  const tokenizer = await AutoTokenizer.from_pretrained(folder, { local_files_only: true });
  const model = await AutoModelForSequenceClassification.from_pretrained(folder, {
    local_files_only: true,
    dtype: 'fp32',
    device: 'cpu',
  });
  return {
    label: `ONNX reward model (${dir})`,
    score: async (prompts, responses) => {
      const out = new Float32Array(prompts.length);
      for (let start = 0; start < prompts.length; start += o.batchSize) {
        const p = prompts.slice(start, start + o.batchSize),
          r = responses.slice(start, start + o.batchSize);
        const inputs =
          o.input === 'pair'
            ? tokenizer([...p], { text_pair: [...r], padding: true, truncation: true, max_length: o.maxLength })
            : tokenizer(
                p.map((x, i) => `${x}${r[i]}`),
                { padding: true, truncation: true, max_length: o.maxLength },
              );
        const { logits } = await model(inputs);
        const values = logits.data as Float32Array;
        for (let i = 0; i < p.length; i++)
          out[start + i] = labels === 1 ? values[i] : values[2 * i + 1] - values[2 * i];
      }
      return out;
    },
    dispose: () => void model.dispose(),
  };
}
