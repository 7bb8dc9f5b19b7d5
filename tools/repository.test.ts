// Checks of the repository as a newcomer meets it: every relative link and section reference in the
// committed markdown, pages and source comments resolves; nothing committed names a folder outside the
// repository (a user's clone has nothing beside it); and docs/architecture.md's package table is what
// the packages really import and declare.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const tracked = (() => {
  try {
    return execFileSync('git', ['ls-files', '-z'], { cwd: root, encoding: 'utf8' }).split('\0').filter(Boolean);
  } catch {
    return undefined;
  }
})();
const skip = tracked ? false : 'skipped: not a git checkout (the checks read the committed files)';
const TEXT = /\.(md|ts|cjs|js|json|py|html|sh)$|(^|\/)run$/;
// generated or vendored files (results, figure specs, fixtures' numbers, the lockfile, minified libraries)
const GENERATED = /^reports\/.*\.json$|\/fixtures\/.*\.json$|package-lock\.json$|\.min\.js$/;
const textFiles = () => (tracked ?? []).filter((f) => TEXT.test(f) && !GENERATED.test(f) && existsSync(join(root, f)));
const read = (f: string) => readFileSync(join(root, f), 'utf8');

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');
const headings = (markdown: string) =>
  markdown
    .split('\n')
    .filter((l) => /^#{1,6}\s/.test(l))
    .map((l) => l.replace(/^#+\s*/, ''));

function resolveFrom(file: string, target: string): string | undefined {
  for (const base of [dirname(file), '.']) {
    const path = join(base, target);
    if (existsSync(join(root, path))) return path;
  }
  return undefined;
}

test(
  'every relative link in markdown, pages and source comments ' +
    'points at a file that exists (and at a heading that exists)',
  { skip },
  () => {
    const broken: string[] = [];
    for (const file of textFiles()) {
      const text = read(file);
      const links = [
        ...text.matchAll(/\]\(([^)\s]+)\)/g),
        ...(file.endsWith('.html') ? text.matchAll(/(?:href|src)="([^"]+)"/g) : []),
      ].map((m) => m[1]);
      for (const link of links) {
        // URLs, in-page anchors, template strings, regexes
        if (/^([a-z]+:|#|\/\/|\?)/i.test(link) || link.includes('${') || !/[./]/.test(link)) continue;
        const [path, anchor] = link.split('#');
        const target = join(dirname(file), decodeURIComponent(path));
        if (!existsSync(join(root, target))) {
          broken.push(`${file}: ${link} (no ${target})`);
        } else if (anchor && target.endsWith('.md') && !headings(read(target)).some((h) => slug(h) === anchor)) {
          broken.push(`${file}: ${link} (no heading #${anchor} in ${target})`);
        }
      }
    }
    assert.deepEqual(broken, []);
  },
);

test('every "<file>.md §N" reference names a file that exists and a section N in it', { skip }, () => {
  const broken: string[] = [];
  for (const file of textFiles()) {
    for (const [, target, section] of read(file).matchAll(/([\w./-]+\.md) §(\d+)/g)) {
      const path = resolveFrom(file, target);
      if (!path) broken.push(`${file}: ${target} §${section} (no such file)`);
      else if (!headings(read(path)).some((h) => h.startsWith(`${section}. `) || h.startsWith(`${section} `)))
        broken.push(`${file}: ${target} §${section} (${path} has no section ${section})`);
    }
  }
  assert.deepEqual(broken, []);
});

test('nothing committed names a folder outside the repository', { skip }, () => {
  const outside = ['..', 'shared'].join('/');
  const absolute = /\/work\/(main|shared)\b|\/root\/|\/home\/[a-z]/;
  const found: string[] = [];
  for (const file of textFiles()) {
    read(file)
      .split('\n')
      .forEach((line, i) => {
        if (line.includes(outside) || absolute.test(line)) found.push(`${file}:${i + 1}: ${line.trim().slice(0, 120)}`);
      });
  }
  assert.deepEqual(
    found,
    [],
    'fetch public data and models into the repository (spo data fetch --from <mirror>) instead',
  );
});

/** The package table of docs/architecture.md §2: package -> the packages it imports. */
function declaredImports(): Map<string, string[]> {
  const rows = read('docs/architecture.md')
    .split('\n')
    .filter((l) => /^\| [a-z][a-z-]* \| [a-z][a-z-, ]* \|$/.test(l) && !l.startsWith('| package'));
  return new Map(
    rows.map((l) => {
      const [pkg, imports] = l
        .split('|')
        .slice(1, 3)
        .map((c) => c.trim());
      return [
        pkg,
        imports
          .split(',')
          .map((x) => x.trim())
          .sort(),
      ];
    }),
  );
}

test(
  "docs/architecture.md's package table lists exactly what each package imports, and so does its package.json",
  { skip },
  () => {
    const declared = declaredImports();
    const actual = new Map<string, string[]>();
    for (const pkg of readdirSync(join(root, 'packages'))) {
      const src = join(root, 'packages', pkg, 'src');
      if (!existsSync(src)) continue;
      const imports = new Set<string>();
      const walk = (dir: string) => {
        for (const name of readdirSync(dir)) {
          const p = join(dir, name);
          if (statSync(p).isDirectory()) walk(p);
          else if (name.endsWith('.ts'))
            for (const [, dep] of readFileSync(p, 'utf8').matchAll(/from '@spo\/([a-z-]+)'/g))
              if (dep !== pkg) imports.add(dep);
        }
      };
      walk(src);
      if (imports.size > 0) actual.set(pkg, [...imports].sort());
    }
    for (const [pkg, imports] of actual) {
      assert.deepEqual(
        declared.get(pkg),
        imports,
        `packages/${pkg} imports ${imports.join(', ')}; ` +
          `the table in docs/architecture.md says ${declared.get(pkg)?.join(', ') ?? 'nothing'}`,
      );
      const manifest = JSON.parse(read(`packages/${pkg}/package.json`)) as { dependencies?: Record<string, string> };
      const listed = Object.keys(manifest.dependencies ?? {})
        .filter((d) => d.startsWith('@spo/'))
        .map((d) => d.slice('@spo/'.length))
        .sort();
      assert.deepEqual(
        listed,
        imports,
        `packages/${pkg}/package.json lists ${listed.join(', ') || 'nothing'}; it imports ${imports.join(', ')}`,
      );
    }
    for (const pkg of declared.keys())
      assert.ok(
        actual.has(pkg),
        `docs/architecture.md lists packages/${pkg}, which imports no package ` +
          `(or does not exist): ${relative(root, join(root, 'packages', pkg))}`,
      );
  },
);

/** A cycle in a graph of names, as "a -> b -> a", or undefined. */
function findCycle(edges: Map<string, Set<string>>): string | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (n: string): string | undefined => {
    if (state.get(n) === 'done') return undefined;
    if (state.get(n) === 'open') return [...path.slice(path.indexOf(n)), n].join(' -> ');
    state.set(n, 'open');
    path.push(n);
    for (const m of edges.get(n) ?? []) {
      const cycle = visit(m);
      if (cycle) return cycle;
    }
    path.pop();
    state.set(n, 'done');
    return undefined;
  };
  for (const n of edges.keys()) {
    const cycle = visit(n);
    if (cycle) return cycle;
  }
  return undefined;
}

test('packages import one way, and no folder inside a package imports a sibling that imports it back', { skip }, () => {
  const packages = new Map<string, Set<string>>();
  for (const pkg of readdirSync(join(root, 'packages'))) {
    const src = join(root, 'packages', pkg, 'src');
    if (!existsSync(src)) continue;
    const deps = new Set<string>();
    const folders = new Map<string, Set<string>>();
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = join(dir, name);
        if (statSync(p).isDirectory()) {
          walk(p);
          continue;
        }
        if (!name.endsWith('.ts')) continue;
        const folder = relative(src, dirname(p)).split('/')[0] || '.';
        for (const [, spec] of readFileSync(p, 'utf8').matchAll(/from '([^']+)'/g)) {
          if (spec.startsWith('@spo/')) {
            if (spec.slice(5) !== pkg) deps.add(spec.slice(5));
            continue;
          }
          if (!spec.startsWith('.')) continue;
          const target = relative(src, join(dirname(p), spec)).split('/');
          const into = target.length > 1 ? target[0] : '.';
          // sibling folders only: files at src/ itself are the package's common ground
          if (into !== folder && into !== '.' && folder !== '.' && !into.startsWith('..'))
            (folders.get(folder) ?? folders.set(folder, new Set()).get(folder)!).add(into);
        }
      }
    };
    walk(src);
    packages.set(pkg, deps);
    const loop = findCycle(folders);
    assert.equal(loop, undefined, `packages/${pkg}/src: its folders import in a loop: ${loop}`);
  }
  const loop = findCycle(packages);
  assert.equal(loop, undefined, `the packages import in a loop: ${loop}`);
});

test(
  'the diagram at the top of docs/architecture.md draws only real imports, and they reach what the table says',
  { skip },
  () => {
    const diagram = /```mermaid\n([\s\S]*?)```/.exec(read('docs/architecture.md'))?.[1] ?? '';
    const packages = /subgraph packages\[[\s\S]*?\n\s*end\n/.exec(diagram)?.[0] ?? '';
    const names = new Map<string, string>();
    const edges = new Map<string, Set<string>>();
    for (const [, from, to, label] of packages.matchAll(/^\s*(\w+) --> (\w+)(?:\[([a-z-]+)\])?$/gm)) {
      if (label) names.set(to, label);
      (edges.get(from) ?? edges.set(from, new Set()).get(from)!).add(to);
    }
    assert.ok(edges.size > 5, 'the diagram has a packages subgraph with arrows');
    const name = (id: string) => names.get(id) ?? id;
    const table = declaredImports();
    const reach = (graph: Map<string, Iterable<string>>, from: string) => {
      const seen = new Set<string>();
      const stack = [...(graph.get(from) ?? [])];
      while (stack.length) {
        const n = stack.pop()!;
        if (!seen.has(n)) (seen.add(n), stack.push(...(graph.get(n) ?? [])));
      }
      return [...seen].sort();
    };
    const drawn = new Map([...edges].map(([from, to]) => [name(from), [...to].map(name)]));
    for (const [from, to] of drawn)
      for (const t of to)
        assert.ok(table.get(from)?.includes(t), `the diagram draws ${from} --> ${t}; ${from} does not import ${t}`);
    for (const pkg of table.keys())
      assert.deepEqual(reach(drawn, pkg), reach(table, pkg), `what ${pkg} reaches in the diagram and in the table`);
  },
);

test('no source line is longer than 120 characters', { skip }, () => {
  const long: string[] = [];
  for (const file of (tracked ?? []).filter((f) => /\.(ts|cjs|mjs|js)$/.test(f) && !f.endsWith('.min.js'))) {
    read(file)
      .split('\n')
      .forEach((line, i) => {
        if ([...line].length > 120) long.push(`${file}:${i + 1} (${[...line].length})`);
      });
  }
  assert.deepEqual(long, [], 'Prettier does not split strings, regexes or comments: split them by hand');
});

test('every experiment has a committed report, and every report an experiment', { skip }, () => {
  const files = new Set(tracked);
  const experiments = [
    ...new Set((tracked ?? []).flatMap((f) => /^experiments\/([^/]+)\/config\.json$/.exec(f)?.[1] ?? [])),
  ];
  const reports = [...new Set((tracked ?? []).flatMap((f) => /^reports\/([^/]+)\/results\.md$/.exec(f)?.[1] ?? []))];
  assert.deepEqual(
    experiments.filter((e) => !files.has(`reports/${e}/results.md`)),
    [],
    'an experiment folder without reports/<name>/results.md: run it (npx nx run <name>:report) and commit the report',
  );
  assert.deepEqual(
    reports.filter((r) => !files.has(`experiments/${r}/config.json`)),
    [],
    'a report without its experiment',
  );
});

test('an experiment\'s "tuned" entries are the ones the tuning report it names chose', { skip }, () => {
  const strip = ({ where, loss, set }: { where?: object; loss: string; set: object }) =>
    JSON.stringify({ where: where ?? {}, loss, set });
  for (const config of (tracked ?? []).filter((f) => /^experiments\/[^/]+\/config\.json$/.test(f))) {
    const tuned = (JSON.parse(read(config)).tuned ?? []) as {
      from?: string;
      where?: object;
      loss: string;
      set: object;
    }[];
    for (const entry of tuned) {
      assert.ok(entry.from, `${config}: a tuned entry without "from" (the tuning report's chosen.json)`);
      assert.ok(existsSync(join(root, entry.from)), `${config}: ${entry.from} does not exist`);
      const chosen = (JSON.parse(read(entry.from)).tuned as typeof tuned).map(strip);
      assert.ok(
        chosen.includes(strip(entry)),
        `${config}: ${strip(entry)} is not what ${entry.from} chose: copy its "tuned" entries again`,
      );
    }
  }
});

// CI (and the README's first command) runs the quickstart before the tests, rewriting reports/quickstart.
// Its numbers must be the committed ones whenever it ran on the committed numerics path: the check that
// no change to the engine, fused kernels included, moved a number it claims not to move.
test('the quickstart report this checkout wrote has the committed numbers (on the committed numerics path)', (t) => {
  const csv = 'reports/quickstart/results.csv',
    md = 'reports/quickstart/results.md';
  let committed: { csv: string; md: string };
  try {
    const show = (f: string) => execFileSync('git', ['show', `HEAD:${f}`], { cwd: root, encoding: 'utf8' });
    committed = { csv: show(csv), md: show(md) };
  } catch {
    return t.skip('not a git checkout with a committed quickstart report');
  }
  if (!existsSync(join(root, csv))) return t.skip(`${csv} is missing: run npm run quickstart first`);
  const written = { csv: read(csv), md: read(md) };
  if (written.csv === committed.csv) return t.skip('the quickstart has not been rerun in this checkout');
  const path = (markdown: string) => /\| numerics path \| (\S+)/.exec(markdown)?.[1];
  if (path(written.md) !== path(committed.md))
    return t.skip(`this machine computes on ${path(written.md)}, the committed report on ${path(committed.md)}`);
  // every column but the ones that say when and how fast it ran
  const rows = (text: string) => {
    const [header, ...lines] = text.trim().split(/\r?\n/); // papaparse ends lines with \r\n
    const keep = header.split(',').map((c) => !['train_tokens_per_s', 'commit'].includes(c));
    return lines.map((l) =>
      l
        .split(',')
        .filter((_, i) => keep[i])
        .join(','),
    );
  };
  assert.deepEqual(rows(written.csv), rows(committed.csv));
});
