// Test fixture: writes a tiny ONNX sequence-classification reward model folder by hand (protobuf
// encoded here, no Python needed). Its score is bias + W · (mean of the token embeddings over the
// attention mask), so tests can work its output out by hand.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

class Proto {
  private bytes: number[] = [];
  private varint(v: number | bigint): void {
    let x = BigInt(v);
    if (x < 0n) x += 1n << 64n;
    do {
      let byte = Number(x & 0x7fn);
      x >>= 7n;
      if (x > 0n) byte |= 0x80;
      this.bytes.push(byte);
    } while (x > 0n);
  }
  int(field: number, v: number): this {
    this.varint((field << 3) | 0);
    this.varint(v);
    return this;
  }
  bytesField(field: number, data: Uint8Array): this {
    this.varint((field << 3) | 2);
    this.varint(data.length);
    this.bytes.push(...data);
    return this;
  }
  string(field: number, s: string): this {
    return this.bytesField(field, new TextEncoder().encode(s));
  }
  message(field: number, m: Proto): this {
    return this.bytesField(field, m.done());
  }
  done(): Uint8Array {
    return Uint8Array.from(this.bytes);
  }
}

const FLOAT = 1,
  INT64 = 7;

function tensor(name: string, dims: number[], type: number, values: number[]): Proto {
  const t = new Proto();
  for (const d of dims) t.int(1, d);
  t.int(2, type).string(8, name);
  const raw =
    type === FLOAT
      ? new Uint8Array(Float32Array.from(values).buffer)
      : new Uint8Array(BigInt64Array.from(values.map(BigInt)).buffer);
  return t.bytesField(9, raw);
}

function valueInfo(name: string, type: number, dims: (number | string)[]): Proto {
  const shape = new Proto();
  for (const d of dims) shape.message(1, typeof d === 'number' ? new Proto().int(1, d) : new Proto().string(2, d));
  return new Proto().string(1, name).message(2, new Proto().message(1, new Proto().int(1, type).message(2, shape)));
}

function node(op: string, inputs: string[], outputs: string[], attributes: Proto[] = []): Proto {
  const n = new Proto();
  for (const i of inputs) n.string(1, i);
  for (const o of outputs) n.string(2, o);
  n.string(3, `${op}_${outputs[0]}`).string(4, op);
  for (const a of attributes) n.message(5, a);
  return n;
}

const intAttribute = (name: string, v: number) => new Proto().string(1, name).int(3, v).int(20, 2);

/** The model: embeddings [vocab, d] (row per token id), weight [d], bias. */
export interface TinyRewardModel {
  vocab: string[];
  embeddings: number[][];
  weight: number[];
  bias: number;
}

export function writeTinyOnnxRewardModel(dir: string, m: TinyRewardModel): void {
  const d = m.weight.length;
  const graph = new Proto();
  for (const n of [
    node('Gather', ['embeddings', 'input_ids'], ['embedded']),
    node('Cast', ['attention_mask'], ['mask'], [intAttribute('to', FLOAT)]),
    node('Unsqueeze', ['mask', 'axis2'], ['mask3']),
    node('Mul', ['embedded', 'mask3'], ['masked']),
    node('ReduceSum', ['masked', 'axis1'], ['summed'], [intAttribute('keepdims', 0)]),
    node('ReduceSum', ['mask3', 'axis1'], ['count'], [intAttribute('keepdims', 0)]),
    node('Div', ['summed', 'count'], ['pooled']),
    node('MatMul', ['pooled', 'weight'], ['projected']),
    node('Add', ['projected', 'bias'], ['logits']),
  ])
    graph.message(1, n);
  graph.string(2, 'tiny_reward_model');
  graph.message(5, tensor('embeddings', [m.vocab.length, d], FLOAT, m.embeddings.flat()));
  graph.message(5, tensor('weight', [d, 1], FLOAT, m.weight));
  graph.message(5, tensor('bias', [1], FLOAT, [m.bias]));
  graph.message(5, tensor('axis1', [1], INT64, [1]));
  graph.message(5, tensor('axis2', [1], INT64, [2]));
  graph.message(11, valueInfo('input_ids', INT64, ['batch', 'sequence']));
  graph.message(11, valueInfo('attention_mask', INT64, ['batch', 'sequence']));
  graph.message(12, valueInfo('logits', FLOAT, ['batch', 1]));
  const model = new Proto()
    .int(1, 8)
    .string(2, 'spo-lab test fixture')
    .message(7, graph)
    .message(8, new Proto().int(2, 13));
  mkdirSync(join(dir, 'onnx'), { recursive: true });
  writeFileSync(join(dir, 'onnx', 'model.onnx'), model.done());
  writeFileSync(
    join(dir, 'config.json'),
    JSON.stringify({
      model_type: 'bert',
      architectures: ['BertForSequenceClassification'],
      num_labels: 1,
      id2label: { 0: 'LABEL_0' },
      label2id: { LABEL_0: 0 },
    }),
  );
  writeFileSync(
    join(dir, 'tokenizer_config.json'),
    JSON.stringify({
      tokenizer_class: 'PreTrainedTokenizerFast',
      pad_token: '<pad>',
      unk_token: '<unk>',
      model_max_length: 128,
    }),
  );
  writeFileSync(
    join(dir, 'tokenizer.json'),
    JSON.stringify({
      version: '1.0',
      truncation: null,
      padding: null,
      added_tokens: [
        { id: 0, content: '<pad>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true },
        { id: 1, content: '<unk>', single_word: false, lstrip: false, rstrip: false, normalized: false, special: true },
      ],
      normalizer: null,
      pre_tokenizer: { type: 'Whitespace' },
      post_processor: null,
      decoder: null,
      model: { type: 'WordLevel', vocab: Object.fromEntries(m.vocab.map((w, i) => [w, i])), unk_token: '<unk>' },
    }),
  );
}
