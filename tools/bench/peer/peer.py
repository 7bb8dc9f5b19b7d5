"""PyTorch peer of `nx run bench:run`: the same GPT-2-style model (pre-LayerNorm, learned positions,
tied output head, gelu_new), the same batches and the same steps as tools/bench/src/cases.ts, timed the
same way (warm-up discarded, median of the repeats). A benchmark tool only, never a test dependency.

Reads the sizes as JSON from --sizes; prints one JSON object per case on stdout.
Run with Debian's python3-torch and libopenblas0-pthread:  /usr/bin/python3 tools/bench/peer/peer.py
"""
import argparse
import json
import math
import os
import statistics
import time

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one thread pool (torch's), not two fighting
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

    def forward(self, ids, caches=None, past=0):
        pos = torch.arange(past, past + ids.shape[1])
        x = self.wte(ids) + self.wpe(pos)
        for i, block in enumerate(self.h):
            x = block(x, None if caches is None else caches[i])
        hidden = self.ln_f(x)
        return hidden @ self.wte.weight.T, hidden


def sequence_log_probs(logits, ids, mask):
    lp = logits[:, :-1].log_softmax(-1).gather(-1, ids[:, 1:, None]).squeeze(-1)
    m = mask[:, 1:]
    return (lp * m).sum(1), (lp * m).sum(1) / m.sum(1)


def cases(size, degrees):
    torch.manual_seed(1)
    B, T = size["batch"], size["length"]
    prompt = T // 2
    model = GPT(size["vocabSize"], T, size["dModel"], size["nLayers"], size["nHeads"])
    head = torch.nn.Linear(size["dModel"], degrees)
    opt = torch.optim.AdamW(list(model.parameters()) + list(head.parameters()), lr=1e-4, betas=(0.9, 0.95), weight_decay=0.01)
    ids = lambda rows: torch.randint(4, size["vocabSize"], (rows, T))  # noqa: E731
    mask = lambda rows: (torch.arange(T) >= prompt).float().expand(rows, T)  # noqa: E731

    def step(rows, loss_fn):
        def run():
            x, m = ids(rows), mask(rows)
            opt.zero_grad(set_to_none=True)
            loss = loss_fn(x, m)
            loss.backward()
            opt.step()
            loss.item()
        return run

    def dpo(lp):
        chosen, rejected = lp[:B] - (-40.0), lp[B : 2 * B] - (-41.0)
        return -F.logsigmoid(0.1 * (chosen - rejected)).mean()

    def sft(x, m):
        return -sequence_log_probs(model(x)[0], x, m)[1].mean()

    def dpo_step(x, m):
        return dpo(sequence_log_probs(model(x)[0], x, m)[0])

    variants = B * (degrees - 1)
    group_rows = []
    for b in range(B):
        group_rows += [b] + [2 * B + b * (degrees - 1) + k for k in range(degrees - 1)]
    levels = torch.tensor([j % degrees for j in range(len(group_rows))])

    def dpo_spo(x, m):
        logits, hidden = model(x)
        lp = sequence_log_probs(logits, x, m)[0]
        pooled = hidden.mean(1)[group_rows]
        return dpo(lp[: 2 * B]) + 0.1 * F.cross_entropy(head(pooled), levels)

    def reference():
        with torch.no_grad():
            x = ids(2 * B)
            sequence_log_probs(model(x)[0], x, mask(2 * B))[0].tolist()

    prompts = ids(B)[:, :prompt]

    def generate():
        with torch.no_grad():
            caches = [{} for _ in model.h]
            logits, _ = model(prompts, caches, 0)
            past = prompt
            for _ in range(T - prompt):
                token = torch.multinomial(logits[:, -1].softmax(-1), 1)
                logits, _ = model(token, caches, past)
                past += 1

    return [
        ("sft-step", step(B, sft)),
        ("dpo-step", step(2 * B, dpo_step)),
        (f"dpo-spo-step (K={degrees})", step(2 * B + variants, dpo_spo)),
        ("reference-pass", reference),
        ("generate", generate),
    ]


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--sizes", required=True, help="JSON list of bench sizes (as in tools/bench/src/main.ts)")
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--warmup", type=int, default=2)
    p.add_argument("--degrees", type=int, default=4)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    torch.set_num_threads(a.threads)
    for size in json.loads(a.sizes):
        for name, run in cases(size, a.degrees):
            for _ in range(a.warmup):
                run()
            times = []
            for _ in range(a.repeats):
                started = time.perf_counter()
                run()
                times.append((time.perf_counter() - started) * 1000)
            print(json.dumps({"size": size["name"], "case": name, "median_ms": statistics.median(times), "min_ms": min(times), "max_ms": max(times),
                              "torch": torch.__version__, "threads": a.threads}), flush=True)


if __name__ == "__main__":
    main()
