"""PyTorch peer of `nx run bench:run`: the same GPT-2-style model (pre-LayerNorm, learned positions,
tied output head, gelu_new), and for each case forward passes of the shapes ours made (rows, width,
logits only from the first response position, a shared prompt's keys and values gathered per row,
cached decoding steps), the same loss structure, global
norm clipping and AdamW, timed the same way (warm-up discarded, median of the repeats). The bench runs
one of these per thread configuration and keeps the fastest. A benchmark tool only, never a test
dependency. Run with Debian's python3-torch and libopenblas0-pthread (/usr/bin/python3)."""
import argparse
import json
import math
import os
import statistics
import time

import sys

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402


class Block(torch.nn.Module):
    def __init__(self, d, heads):
        super().__init__()
        self.heads = heads
        self.ln_1 = torch.nn.LayerNorm(d, eps=1e-5)
        self.c_attn = torch.nn.Linear(d, 3 * d)
        self.c_proj = torch.nn.Linear(d, d)
        self.ln_2 = torch.nn.LayerNorm(d, eps=1e-5)
        self.c_fc = torch.nn.Linear(d, 4 * d)
        self.mlp_proj = torch.nn.Linear(4 * d, d)

    def attention(self, x, cache):
        B, T, d = x.shape
        q, k, v = self.c_attn(x).split(d, dim=2)
        shape = lambda t: t.view(B, T, self.heads, d // self.heads).transpose(1, 2)  # noqa: E731
        q, k, v = shape(q), shape(k), shape(v)
        if cache is not None:
            if "k" in cache:
                k, v = torch.cat([cache["k"], k], 2), torch.cat([cache["v"], v], 2)
            cache["k"], cache["v"] = k, v
        past = k.shape[2] - T
        scores = q @ k.transpose(-2, -1) / math.sqrt(d // self.heads)
        mask = torch.ones(T, k.shape[2], dtype=torch.bool).tril(past)
        scores = scores.masked_fill(~mask, -1e9)
        out = (scores.softmax(-1) @ v).transpose(1, 2).reshape(B, T, d)
        return self.c_proj(out)

    def forward(self, x, cache=None):
        x = x + self.attention(self.ln_1(x), cache)
        return x + self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh"))


class GPT(torch.nn.Module):
    def __init__(self, vocab, positions, d, layers, heads):
        super().__init__()
        self.wte = torch.nn.Embedding(vocab, d)
        self.wpe = torch.nn.Embedding(positions, d)
        self.h = torch.nn.ModuleList(Block(d, heads) for _ in range(layers))
        self.ln_f = torch.nn.LayerNorm(d, eps=1e-5)

    def hidden(self, ids, caches=None, past=0):
        pos = torch.arange(past, past + ids.shape[1])
        x = self.wte(ids) + self.wpe(pos)
        for i, block in enumerate(self.h):
            x = block(x, None if caches is None else caches[i])
        return self.ln_f(x)


def sequence_log_probs(logits, ids, logits_from):
    """Log-probs of the tokens after position logits_from, with logits only from there (as our step)."""
    T = ids.shape[1]
    lp = logits[:, :-1].log_softmax(-1).gather(-1, ids[:, logits_from + 1 :, None]).squeeze(-1)
    return lp.sum(1), lp.mean(1)


class Peer:
    """One size's model and optimiser, and each bench case rebuilt from the shapes of our forward passes."""

    def __init__(self, size, vocab, degrees):
        torch.manual_seed(1)
        self.model = GPT(vocab, 64, size["dModel"], size["nLayers"], size["nHeads"])
        self.head = torch.nn.Linear(size["dModel"], degrees)
        self.opt = torch.optim.AdamW(list(self.model.parameters()) + list(self.head.parameters()), lr=1e-4, betas=(0.9, 0.95), weight_decay=0.01)
        self.vocab, self.degrees, self.batch = vocab, degrees, size["batch"]

    def ids(self, rows, width):
        return torch.randint(4, self.vocab, (rows, width))

    def logits(self, x, logits_from, caches=None, past=0):
        hidden = self.model.hidden(x, caches, past)
        return hidden[:, logits_from:] @ self.model.wte.weight.T, hidden

    def step(self, loss_fn):
        self.opt.zero_grad(set_to_none=True)
        loss = loss_fn()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(list(self.model.parameters()) + list(self.head.parameters()), 1.0)
        self.opt.step()
        loss.item()

    def scorer(self, forwards):
        """Our scoring passes rebuilt: one pass of whole rows, or the shared-prompt passes (the distinct
        prompts, left-padded, with logits from their last position; then the responses' pass after its
        prompt's keys and values: the packed rows, whose shapes it mirrors, a packed row standing for one
        response, or with $SPO_PACKED_RESPONSES=off a row per response). Returns a function giving each
        row's Σ log-prob and its pooled hidden state."""
        f = forwards[0]
        if len(forwards) == 1:
            x = self.ids(f["rows"], f["width"])

            def whole():
                logits, hidden = self.logits(x, f["logitsFrom"])
                return sequence_log_probs(logits, x, f["logitsFrom"])[0], hidden.mean(1)
            return whole
        prompts = self.ids(f["rows"], f["width"])
        passes = [(r, self.ids(r["rows"], r["width"]), torch.arange(r["rows"]) % f["rows"]) for r in forwards[1:]]

        def shared():
            caches = [{} for _ in self.model.h]
            first, prompt_hidden = self.logits(prompts, f["logitsFrom"], caches, 0)
            sums, pooled = [], []
            for r, responses, which in passes:
                row_caches = [{"k": c["k"][which], "v": c["v"][which]} for c in caches]
                logits, hidden = self.logits(responses, r["logitsFrom"], row_caches, f["width"])
                predicting = torch.cat([first[which], logits[:, :-1]], 1)
                sums.append(predicting.log_softmax(-1).gather(-1, responses[:, :, None]).squeeze(-1).sum(1))
                pooled.append((prompt_hidden.sum(1)[which] + hidden.sum(1)) / (f["width"] + r["width"]))
            return torch.cat(sums), torch.cat(pooled)
        return shared

    @staticmethod
    def scoring_groups(forwards):
        """Our passes split into scorer inputs: a pass with cached keys belongs to the pass before it."""
        groups = []
        for f in forwards:
            if f["past"] and groups:
                groups[-1].append(f)
            else:
                groups.append([f])
        return groups

    def case(self, name, forwards):
        f = forwards[0]
        B = self.batch
        if name == "sft-step":
            x = self.ids(f["rows"], f["width"])
            return lambda: self.step(lambda: -sequence_log_probs(self.logits(x, f["logitsFrom"])[0], x, f["logitsFrom"])[1].mean())
        if name == "dpo-step":
            score = self.scorer(forwards)

            def dpo_loss():
                lp = score()[0]
                h = min(B, len(lp) // 2)  # packed responses: fewer rows than sequences
                return -F.logsigmoid(0.1 * ((lp[:h] + 40.0) - (lp[h : 2 * h] + 41.0))).mean()
            return lambda: self.step(dpo_loss)
        if name.startswith("dpo-spo-step"):
            score = self.scorer(forwards)
            variants = sum(r["rows"] for r in forwards[1:] or forwards) - 2 * B
            groups = min(B, variants // (self.degrees - 1))
            rows = []
            for b in range(groups):
                rows += [b] + [2 * B + b * (self.degrees - 1) + k for k in range(self.degrees - 1)]
            levels = torch.tensor([j % self.degrees for j in range(len(rows))])

            def dpo_spo_loss():
                lp, pooled = score()
                h = min(B, len(lp) // 2)  # packed responses: fewer rows than sequences
                dpo = -F.logsigmoid(0.1 * ((lp[:h] + 40.0) - (lp[h : 2 * h] + 41.0))).mean()
                kept = [j for j, r in enumerate(rows) if r < len(lp)]
                if not kept:
                    return dpo
                return dpo + 0.1 * F.cross_entropy(self.head(pooled[[rows[j] for j in kept]]), levels[kept])
            return lambda: self.step(dpo_spo_loss)
        if name == "reference-pass":
            scorers = [self.scorer(g) for g in self.scoring_groups(forwards)]

            def reference():
                with torch.no_grad():
                    for score in scorers:
                        score()[0].tolist()
            return reference
        if name == "generate":
            prompts = self.ids(f["rows"], f["width"])
            steps = len(forwards) - 1

            def generate():
                with torch.no_grad():
                    caches = [{} for _ in self.model.h]
                    logits, _ = self.logits(prompts, f["logitsFrom"], caches, 0)
                    past = f["width"]
                    for _ in range(steps):
                        token = torch.multinomial(logits[:, -1].softmax(-1), 1)
                        logits, _ = self.logits(token, 0, caches, past)
                        past += 1
            return generate
        raise ValueError(f"unknown case {name}")


def run_for(run, budget):
    """budget: {runs, ms}, as the bench's measure.ts takes it: at least that many runs, and on until that
    long has passed; returns each run's milliseconds."""
    times = []
    started = time.perf_counter()
    while len(times) < budget["runs"] or (time.perf_counter() - started) * 1000 < budget["ms"]:
        at = time.perf_counter()
        run()
        times.append((time.perf_counter() - at) * 1000)
    return times


def time_case(run, warmup, repeats):
    run_for(run, warmup)
    times = run_for(run, repeats)
    return {"median_ms": statistics.median(times), "min_ms": min(times), "max_ms": max(times)}


def main():
    """Serve requests, one JSON line each on stdin: {size, vocab, degrees, case, forwards, warmup: {runs, ms},
    repeats: {runs, ms}};
    answer each with one JSON line of timings. Threads: --threads intra-op threads here, and
    OPENBLAS_NUM_THREADS (set by the caller before torch loads) for the BLAS."""
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, required=True)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    peers = {}
    for line in sys.stdin:
        r = json.loads(line)
        key = (r["size"]["name"], r["vocab"], r["degrees"])
        if key not in peers:
            peers[key] = Peer(r["size"], r["vocab"], r["degrees"])
        out = time_case(peers[key].case(r["case"], r["forwards"]), r["warmup"], r["repeats"])
        print(json.dumps({**out, "torch": torch.__version__, "threads": a.threads, "blas_threads": int(os.environ.get("OPENBLAS_NUM_THREADS", "0"))}), flush=True)


if __name__ == "__main__":
    main()
