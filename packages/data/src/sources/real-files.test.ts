// Public preference files that do not look like prompt/chosen/rejected: a verdict column over two
// responses, prompts split over several fields, nested keys, byte-order marks, trailing content, files
// that are not what they claim, and loads that keep nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSourceFiles, hhPrompt, FileDataConfigSchema, type LoadSourceOptions } from '../index.js';
import { prepareFromFiles } from './prepare-files.js';
import { renderPromptTemplate } from './prompt-template.js';

const base = { onBadRow: 'error' as const, maxChars: 20000, renderPrompt: hhPrompt };
const load = (o: Partial<LoadSourceOptions> & Pick<LoadSourceOptions, 'format' | 'files'>) =>
  loadSourceFiles({ ...base, ...o });
const fixture = (name: string, content: string | Buffer) => {
  const path = join(mkdtempSync(join(tmpdir(), 'spo-real-')), name);
  writeFileSync(path, content);
  return path;
};
const jsonl = (rows: unknown[]) => rows.map((r) => JSON.stringify(r)).join('\n') + '\n';
const at = { file: 'f', line: 1 };

test('a verdict column picks the chosen response: 1/2, A/B and -1/1 conventions, numbers or strings', async () => {
  const rows = [
    { q: 'P1', response1: 'first', response2: 'second', preference: 1 },
    { q: 'P2', response1: 'first', response2: 'second', preference: 2 },
    { q: 'P3', response1: 'first', response2: 'second', preference: '2' },
  ];
  const label = {
    responses: ['response1', 'response2'] as [string, string],
    field: 'preference',
    first: [1],
    second: [2],
  };
  const { rows: out } = await load({
    format: 'pairs',
    files: [fixture('l.jsonl', jsonl(rows))],
    fields: { prompt: 'q' },
    label,
  });
  assert.deepEqual(
    out.map((r) => r.responses),
    [
      ['first', 'second'],
      ['second', 'first'],
      ['second', 'first'],
    ],
  );
  const ab = fixture('ab.csv', 'prompt,a,b,winner\np,x,y,B\nq,x,y,a\n');
  const fromCsv = await load({
    format: 'csv',
    files: [ab],
    label: { responses: ['a', 'b'], field: 'winner', first: ['A'], second: ['B'] },
  });
  assert.deepEqual(
    fromCsv.rows.map((r) => r.responses),
    [
      ['y', 'x'],
      ['x', 'y'],
    ],
  );
  const signed = await load({
    format: 'pairs',
    files: [
      fixture(
        's.jsonl',
        jsonl([
          { prompt: 'p', r0: 'u', r1: 'v', label: -1 },
          { prompt: 'q', r0: 'u', r1: 'v', label: 1 },
        ]),
      ),
    ],
    label: { responses: ['r0', 'r1'], field: 'label', first: [-1], second: [1] },
  });
  assert.deepEqual(
    signed.rows.map((r) => r.responses),
    [
      ['u', 'v'],
      ['v', 'u'],
    ],
  );
});

test(
  'ties and annotator splits are dropped and counted (a tie vote is a vote); ' +
    'an unknown label value names file, line, field and value',
  async () => {
    const file = fixture(
      't.jsonl',
      jsonl([
        { prompt: 'p', a: 'x', b: 'y', votes1: 'A', votes2: 'A', votes3: 'B' },
        { prompt: 'q', a: 'x', b: 'y', votes1: 'tie', votes2: 'tie', votes3: 'tie' },
        { prompt: 'r', a: 'x', b: 'y', votes1: 'A', votes2: 'B', votes3: 'tie' },
        { prompt: 's', a: 'x', b: 'y', votes1: 'B', votes2: 'B', votes3: 'A' },
        // two of three say tie: not decided by the third
        { prompt: 't', a: 'x', b: 'y', votes1: 'tie', votes2: 'tie', votes3: 'B' },
        { prompt: 'u', a: 'x', b: 'y', votes1: 'A', votes2: 'A', votes3: 'tie' },
      ]),
    );
    const label = {
      responses: ['a', 'b'] as [string, string],
      field: ['votes1', 'votes2', 'votes3'],
      first: ['A'],
      second: ['B'],
      tie: ['tie'],
    };
    const { rows, summary } = await load({ format: 'pairs', files: [file], label });
    assert.deepEqual(
      rows.map((r) => [r.prompt, r.responses[0]]),
      [
        ['p', 'x'],
        ['s', 'y'],
        ['u', 'x'],
      ],
    );
    assert.deepEqual(summary.badRows.dropped, { tie: 3 });
    assert.match(
      summary.badRows.examples.tie![1],
      /t\.jsonl:3: .*the votes are 1 for the first response, 1 for the second and 1 for a tie \[tie\]/,
    );
    assert.match(
      summary.badRows.examples.tie![2],
      /t\.jsonl:5: .*the votes are 0 for the first response, 1 for the second and 2 for a tie \[tie\]/,
    );
    // PandaLM's numeric convention: 0 tie, 1 and 2 the responses
    const panda = fixture('panda.jsonl', jsonl([{ prompt: 'p', a: 'x', b: 'y', v1: 0, v2: 0, v3: 2 }]));
    const numeric = await load({
      format: 'pairs',
      files: [panda],
      label: { responses: ['a', 'b'], field: ['v1', 'v2', 'v3'], first: [1], second: [2], tie: [0] },
    });
    assert.deepEqual([numeric.rows.length, numeric.summary.badRows.dropped], [0, { tie: 1 }]);
    const unknown = fixture('u.jsonl', jsonl([{ prompt: 'p', a: 'x', b: 'y', votes1: 'A', votes2: 'C', votes3: 'A' }]));
    await assert.rejects(
      load({ format: 'pairs', files: [unknown], label }),
      new RegExp(
        String.raw`u\.jsonl:1: field "votes2": the value "C" is none of data\.label\.first ` +
          String.raw`\["A"\], second \["B"\] or tie \["tie"\] \[unknown-label\]`,
      ),
    );
    const skipped = await load({ format: 'pairs', files: [unknown], label, onBadRow: 'skip' });
    assert.deepEqual(skipped.summary.badRows.dropped, { 'unknown-label': 1 });
  },
);

test("bad-row messages of labelled rows name the file's column, not the role (chosen / rejected)", async () => {
  const file = fixture('cols.csv', 'prompt,response1,response2,winner\np,good,,1\nq,x,y,2\n');
  const label = { responses: ['response1', 'response2'] as [string, string], field: 'winner', first: [1], second: [2] };
  await assert.rejects(
    load({ format: 'csv', files: [file], label }),
    /cols\.csv:2: field "response2": is empty \[empty-response\]/,
  );
});

test(
  'an empty file among good files is warned about; prepare reports one "kept" per file, ' +
    'the same as the total; a templated prompt cut at its start is warned about',
  async () => {
    const good = fixture(
      'good.jsonl',
      jsonl(
        Array.from({ length: 30 }, (_, i) => ({
          instruction: `Summarise the text number ${i} in one line.`,
          input: `word `.repeat(i % 2 ? 40 : 3),
          chosen: `yes ${i}`,
          rejected: i === 3 ? 'no '.repeat(200) : `no ${i}`,
        })),
      ),
    );
    const empty = fixture('empty.jsonl', '');
    const config = FileDataConfigSchema.parse({
      source: 'files',
      format: 'pairs',
      files: [good, empty],
      onBadRow: 'skip',
      promptTemplate: '{instruction}\n\n{input}',
      truncation: 'keep-end',
      maxPromptTokens: 24,
      maxResponseTokens: 100,
      splits: { validation: 0, test: 0.1 },
      tokenizer: { kind: 'word', vocabSize: 200, minFrequency: 1 },
    });
    const lines: string[] = [];
    const { report } = await prepareFromFiles(config, 1, (l) => lines.push(l));
    assert.ok(
      lines.some((l) => /warning: .*empty\.jsonl has no rows \(an empty file/.test(l)),
      lines.join('\n'),
    );
    assert.ok(
      lines.some((l) =>
        /warning: 14 templated prompts were cut at their start \(data\.truncation "keep-end"\)/.test(l),
      ),
      lines.join('\n'),
    );
    assert.deepEqual(
      report.load.files.map((f) => f.rowsKept),
      [29, 0],
      'the over-long response is not counted as kept for its file',
    );
    assert.equal(report.load.rowsKept, 29);
  },
);

test('a label value listed on two sides is refused in the config', () => {
  const r = FileDataConfigSchema.safeParse({
    source: 'files',
    format: 'csv',
    files: ['x.csv'],
    label: { responses: ['a', 'b'], field: 'w', first: ['A', 1], second: ['1'] },
  });
  assert.ok(!r.success && /listed under both "first" and "second"/.test(r.error.issues[0].message));
  const wrongFormat = FileDataConfigSchema.safeParse({
    source: 'files',
    format: 'hh-rlhf',
    files: ['x'],
    promptTemplate: '{x}',
  });
  assert.ok(!wrongFormat.success && wrongFormat.error.issues[0].path.join('.') === 'promptTemplate');
});

test('a prompt template over several fields; a line whose fields are all empty is left out cleanly', async () => {
  const t = '{instruction}\n\n{input}';
  assert.equal(renderPromptTemplate(t, { instruction: 'Translate.', input: 'Bonjour' }, at), 'Translate.\n\nBonjour');
  assert.equal(renderPromptTemplate(t, { instruction: 'Write a poem.', input: '' }, at), 'Write a poem.');
  assert.equal(
    renderPromptTemplate(
      '{system}\n\n### Instruction:\n{instruction}\n\n### Input:\n{input}\n\n### Response:',
      { system: '', instruction: 'Add 2 and 2.', input: '  ' },
      at,
    ),
    '### Instruction:\nAdd 2 and 2.\n\n### Input:\n\n### Response:',
  );
  assert.equal(
    renderPromptTemplate('Q: {meta.question} {{literal}}', { meta: { question: 'Why?' } }, at),
    'Q: Why? {literal}',
  );
  assert.throws(
    () => renderPromptTemplate(t, { instruction: 'x' }, { file: 'a.jsonl', line: 7 }),
    /a\.jsonl:7: field "input": missing \(data\.promptTemplate reads it\) \[missing-field\]/,
  );
  const alpaca = fixture(
    'alpaca.json',
    JSON.stringify([
      { instruction: 'Name a colour.', input: '', output: ['Blue.', 'Seven.'] },
      { instruction: 'Translate.', input: 'Bonjour', output: ['Hello.', 'Goodbye.'] },
    ]),
  );
  const { rows } = await load({
    format: 'pairs',
    files: [alpaca],
    promptTemplate: t,
    fields: { chosen: 'output.0', rejected: 'output.1' },
  });
  assert.deepEqual(
    rows.map((r) => [r.prompt, ...r.responses]),
    [
      ['Name a colour.', 'Blue.', 'Seven.'],
      ['Translate.\n\nBonjour', 'Hello.', 'Goodbye.'],
    ],
  );
});

test('nested keys reach into objects and arrays; a CSV column whose name has a dot is found as it is', async () => {
  const nested = fixture('n.jsonl', jsonl([{ data: { question: 'Q' }, response: ['good', 'bad'] }]));
  const { rows } = await load({
    format: 'pairs',
    files: [nested],
    fields: { prompt: 'data.question', chosen: 'response.0', rejected: 'response.1' },
  });
  assert.deepEqual([rows[0].prompt, ...rows[0].responses], ['Q', 'good', 'bad']);
  const dotted = fixture('d.csv', 'prompt,answer.good,answer.bad\np,g,b\n');
  const csv = await load({ format: 'csv', files: [dotted], fields: { chosen: 'answer.good', rejected: 'answer.bad' } });
  assert.deepEqual(csv.rows[0].responses, ['g', 'b']);
});

test(
  'a UTF-8 byte-order mark before a JSON array is skipped; ' + 'content after its closing "]" stops the load',
  async () => {
    const rows = [{ prompt: 'p', chosen: 'a', rejected: 'b' }];
    const bom = fixture(
      'bom.json',
      Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(rows))]),
    );
    assert.equal((await load({ format: 'pairs', files: [bom] })).rows.length, 1);
    const bomLines = fixture('bom.jsonl', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(jsonl(rows))]));
    assert.equal((await load({ format: 'pairs', files: [bomLines] })).rows.length, 1);
    const trailing = fixture('two.json', `${JSON.stringify(rows)}\n${JSON.stringify(rows)}\n`);
    await assert.rejects(
      load({ format: 'pairs', files: [trailing], onBadRow: 'skip' }),
      /two\.json:2: content after the JSON array's closing "\]"/,
    );
    const spaces = fixture('ok.json', `${JSON.stringify(rows)}\n\n  \n`);
    assert.equal((await load({ format: 'pairs', files: [spaces] })).rows.length, 1);
  },
);

test('a directory, a cut gzip stream and a file that is not gzip but says so are errors naming the file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'spo-dir-'));
  mkdirSync(join(dir, 'data.jsonl'));
  await assert.rejects(
    load({ format: 'pairs', files: [join(dir, 'data.jsonl')] }),
    /data\.files: .*data\.jsonl is a directory, not a file/,
  );
  const whole = gzipSync(
    jsonl(Array.from({ length: 200 }, (_, i) => ({ prompt: `p${i}`, chosen: 'a'.repeat(50), rejected: 'b' }))),
  );
  const cut = fixture('cut.jsonl.gz', whole.subarray(0, whole.length - 40));
  await assert.rejects(
    load({ format: 'pairs', files: [cut] }),
    /data\.files: .*cut\.jsonl\.gz is not a whole gzip stream \(.*\): the file is cut short or damaged/,
  );
  const fake = fixture('fake.jsonl.gz', Buffer.concat([Buffer.from([0x1f, 0x8b]), Buffer.from('not really gzip')]));
  await assert.rejects(
    load({ format: 'pairs', files: [fake] }),
    /data\.files: .*fake\.jsonl\.gz is not a whole gzip stream/,
  );
});

test(
  'a load that keeps no rows is an error with the reasons counted ' +
    'and the nearest field names suggested; nothing is prepared',
  async () => {
    const file = fixture(
      'wrong.jsonl',
      jsonl([
        { question: 'q', chosen_response: 'a', rejected_response: 'b' },
        { question: 'r', chosen_response: 'c', rejected_response: 'd' },
      ]),
    );
    const config = FileDataConfigSchema.parse({
      source: 'files',
      format: 'pairs',
      files: [file],
      onBadRow: 'skip',
      tokenizer: { kind: 'word', vocabSize: 50, minFrequency: 1 },
    });
    await assert.rejects(
      prepareFromFiles(config, 1, () => {}),
      (e: Error) => {
        assert.match(e.message, /data\.files: no rows kept after loading \(2 read from .*wrong\.jsonl\)/);
        assert.match(e.message, /2 dropped as missing-field, e\.g\. .*wrong\.jsonl:1: field "chosen"/);
        assert.match(e.message, /no field "prompt"; did you mean "question"\?/);
        assert.match(e.message, /no field "chosen"; did you mean "chosen_response"/);
        assert.match(e.message, /no field "rejected"; did you mean "rejected_response"/);
        return true;
      },
    );
  },
);
