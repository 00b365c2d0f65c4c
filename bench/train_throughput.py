"""Training throughput of codelupe's LoRA trainer: tokens/s, packing efficiency, peak memory (and MFU on a GPU).

On a CPU, with the tiny model (seconds; runs anywhere):
    python bench/train_throughput.py --model tiny
trains the tiny Qwen2 model on the demo corpus with codelupe's packed loop, then with a plain `transformers` Trainer that
pads every batch to its longest sample, and prints both in real (non-padding) tokens per second.

On a GPU, with the real architectures and random weights (throughput and memory do not depend on the weights, so
nothing is downloaded):
    python bench/train_throughput.py --arch qwen2.5-coder-1.5b --random-init --profile 5090-1.5b --memory-cap-gb 32 --compare-padded
    python bench/train_throughput.py --arch qwen2.5-coder-7b --random-init --profile 5090-7b --memory-cap-gb 32
`--memory-cap-gb 32` limits PyTorch to 32 GiB, as on an RTX 5090, to check that the profiles fit. `--compile`,
`--kernels liger`, `--checkpointed-share`, `--qlora` and `--attention flex_attention` try the trainer's options;
`bench/gpu_train_check.sh` runs the whole set as one short GPU session. `--project-to 5090` profiles the packed run and projects
its tokens/s onto an RTX 5090 (tensor-core time scaled by matmul throughput, the rest by memory bandwidth). MFU counts the
useful FLOPs of a LoRA step (4N per token for the frozen weights' forward and input gradients, plus attention) against
the card's dense bf16 peak (`--peak-tflops`, default from the card's name) and against a measured matmul peak.
"""
import argparse, json, math, os, random, re, sys, tempfile, time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault('HF_HUB_OFFLINE', '1')
os.environ.setdefault('HF_HUB_DISABLE_PROGRESS_BARS', '1')
os.environ.setdefault('TRANSFORMERS_VERBOSITY', 'error')

from codelupe.train import (ARCHITECTURES, PROFILES, Example, arch_config, attach_lora, attention_implementation,
                            chunked_causal_loss, skip_adapter_input_casts, use_liger_kernels,
                            make_settings, memory_estimate, peak_memory, pack_examples, parameter_counts, tiny_model,
                            load_tokenizer, load_model, tokenize_samples, pick_device)

PEAK_TFLOPS = {'H200': 989.0, 'H100': 989.0, 'A100': 312.0, '5090': 209.5, '4090': 165.2, 'L40S': 362.0}  # dense bf16

def gib(n): return n / 2**30

def measured_matmul_tflops(device, n=8192, reps=10) -> float:
    "Dense bf16 matmul throughput on this card (a quick MAMF-style ceiling)."
    import torch
    a, b = torch.randn(n, n, device=device, dtype=torch.bfloat16), torch.randn(n, n, device=device, dtype=torch.bfloat16)
    for _ in range(3): a @ b
    torch.cuda.synchronize(device)
    t = time.perf_counter()
    for _ in range(reps): a @ b
    torch.cuda.synchronize(device)
    return 2 * n**3 * reps / (time.perf_counter() - t) / 1e12

# Cards to project to, in achievable figures: bf16 matmul TFLOP/s and device copy TB/s. RTX 5090: 209.5 (the dense
# spec, as a floor) to 254 (a cuBLASLt measurement), and 90% of its 1,792 GB/s; H200: 788 and 4.3 as measured here.
CARDS = {'5090': dict(tflops=(209.5, 254.0), tbps=1.61), 'H200': dict(tflops=(788.0,), tbps=4.3)}
# Kernels that run on the tensor cores (matrix products, fused attention) on a GPU; matrix products among CPU ops.
TENSOR_WORK = re.compile(r'gemm|cutlass|xmma|nvjet|wgmma|cublas|flash|fmha|attention|sm\d\d_|'
                         r'^aten::(mm|addmm|bmm|baddbmm|_scaled_dot_product\w*)$', re.I)

def measured_copy_tbps(device, n_bytes=2**31, reps=10) -> float:
    "Device-to-device copy bandwidth on this card, counting bytes read and written (TB/s)."
    import torch
    a = torch.empty(n_bytes // 2, dtype=torch.bfloat16, device=device); b = torch.empty_like(a)
    for _ in range(3): b.copy_(a)
    torch.cuda.synchronize(device)
    t = time.perf_counter()
    for _ in range(reps): b.copy_(a)
    torch.cuda.synchronize(device)
    return 2 * n_bytes * reps / (time.perf_counter() - t) / 1e12

def time_breakdown(step, device) -> dict:
    "Seconds of `step()` spent in tensor-core work (matrix products, attention) and in everything else, per the profiler."
    from torch.profiler import profile, ProfilerActivity
    from torch.autograd import DeviceType
    cuda = device.type == 'cuda'
    with profile(activities=[ProfilerActivity.CPU] + [ProfilerActivity.CUDA] * cuda) as prof: step()
    tensor = other = 0.0
    for e in prof.key_averages():
        if cuda and e.device_type != DeviceType.CUDA: continue  # kernels only: their CPU-side ops would count twice
        us = (getattr(e, 'self_device_time_total', 0) or getattr(e, 'self_cuda_time_total', 0)) if cuda else e.self_cpu_time_total
        if TENSOR_WORK.search(e.key): tensor += us
        else: other += us
    return dict(tensor_seconds=tensor / 1e6, other_seconds=other / 1e6)

def project_to_card(tokens_per_second:float, breakdown:dict, tokens:int, here:dict, card:str) -> dict:
    """Tokens/s on `card`: tensor-core time scaled by matmul throughput, the rest by memory bandwidth, idle time kept.

    `breakdown` holds the kernel seconds of `tokens` tokens; `here` the measured matmul TFLOP/s and copy TB/s of this GPU."""
    wall = 1 / tokens_per_second  # seconds per token, from the timed loop (no profiler overhead)
    tensor, other = breakdown['tensor_seconds'] / tokens, breakdown['other_seconds'] / tokens
    idle = max(0.0, wall - tensor - other)  # launch gaps and host work: the same on any card
    target = CARDS[card]
    rates = [1 / (tensor * here['matmul_tflops'] / tf + other * here['copy_tbps'] / target['tbps'] + idle)
             for tf in target['tflops']]
    return dict(card=card, tokens_per_second=(round(min(rates)), round(max(rates))),
                tensor_share=round(tensor / wall, 3), other_share=round(other / wall, 3), idle_share=round(idle / wall, 3))

def timed_loop(model, batches, settings, device, dtype, steps, warmup):
    "Train `steps` micro-batches (an optimizer step every `grad_accum`); returns real tokens/s after `warmup` and losses."
    import torch
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=settings.learning_rate, fused=device.type == 'cuda')
    autocast = torch.autocast(device.type, dtype=dtype, enabled=dtype != torch.float32)
    model.train()
    if dtype != torch.float32: skip_adapter_input_casts(model)  # as the trainer does
    tokens, losses, start = 0, [], None
    for i in range(steps + warmup):
        if i == warmup:
            if device.type == 'cuda': torch.cuda.synchronize(device)
            start, tokens = time.perf_counter(), 0
        b = batches[i % len(batches)]
        denominator = int((b['labels'][:, 1:] != -100).sum())
        t = {k: v.to(device) for k, v in b.items() if k != 'real_tokens'}
        with autocast: loss = chunked_causal_loss(model, t, denominator, settings.loss_chunk, settings.kernels)
        loss.backward()
        if (i + 1) % settings.grad_accum == 0 or i + 1 == steps + warmup:
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step(); opt.zero_grad(set_to_none=True)
        tokens += b['real_tokens']
        losses.append(loss.item())
    if device.type == 'cuda': torch.cuda.synchronize(device)
    seconds = time.perf_counter() - start
    return tokens / seconds, losses, seconds

def project(model, batches, settings, device, dtype, tokens_per_second, results, card) -> dict:
    "Profile two more micro-steps and project the timed throughput onto `card` (GPU); the split alone on a CPU."
    two = batches[:2]
    bd = time_breakdown(lambda: timed_loop(model, two, settings, device, dtype, len(two), 0), device)
    out = {'time_split': {k: round(v, 4) for k, v in bd.items()}}
    if device.type == 'cuda':
        here = dict(matmul_tflops=results['matmul_tflops'], copy_tbps=results['copy_tbps'])
        if not bd['tensor_seconds'] + bd['other_seconds']: out['projection'] = 'the profiler recorded no kernel times'
        else: out['projection'] = project_to_card(tokens_per_second, bd, sum(b['real_tokens'] for b in two), here, card)
    return out

def lora_flops_per_token(arch:str, batches, r:int) -> float:
    "Useful FLOPs per real token of a LoRA step: 4N (forward + input gradients) + attention forward and backward."
    a, n = ARCHITECTURES[arch], parameter_counts(arch, r)
    d, L = a['hidden_size'], a['num_hidden_layers']
    matmul = 4 * (n['total'] - n['embeddings'] * (0 if a['tie_word_embeddings'] else 0.5))  # input embedding is a lookup
    attn, tokens = 0, 0
    for b in batches:  # causal attention: QK^T and AV cost 2*2*d per (query, key) pair, forward; x3 with backward
        for row in b['position_ids'].tolist():
            starts = [i for i, p in enumerate(row) if p == 0] + [len(row)]
            for s, e in zip(starts, starts[1:]): attn += 3 * 4 * L * d * (e - s) * (e - s + 1) / 2
        tokens += b['real_tokens']
    return matmul + attn / max(tokens, 1)

def synthetic_examples(n_tokens:int, seq_len:int, vocab:int, seed:int=0) -> list:
    "Random token sequences with code-like lengths (log-normal, median ~700 tokens), `n_tokens` in all."
    rng, out, total = random.Random(seed), [], 0
    while total < n_tokens:
        length = int(min(seq_len, max(16, rng.lognormvariate(math.log(700), 1.0))))
        out.append(Example([rng.randrange(vocab) for _ in range(length)], [True] * length, len(out)))
        total += length
    return out

def one_per_sequence(examples, seq_len):
    "The padded baseline's data: one sample per sequence, no packing."
    from codelupe.train import PackedData
    seqs = [(e.ids, [-100] + e.ids[1:], list(range(len(e)))) for e in examples]
    return PackedData(seqs, seq_len)

def leaky(packed):
    "The same packed sequences with position ids running on across samples: naive packing, attention leaks across."
    from codelupe.train import PackedData
    return PackedData([(ids, labels, list(range(len(ids)))) for ids, labels, _ in packed.sequences], packed.capacity)

def bench_arch(args):
    import torch
    from transformers import AutoModelForCausalLM
    profile = args.profile or ('5090-7b' if '7b' in args.arch else 'cpu-tiny' if args.arch == 'tiny' else '5090-1.5b')
    over = {k: v for k, v in dict(max_seq_len=args.seq_len, batch_size=args.batch_size, attention=args.attention,
                                  gradient_checkpointing=args.checkpointing, grad_accum=args.grad_accum,
                                  compile=args.compile or None, qlora=args.qlora or None, kernels=args.kernels,
                                  checkpointed_share=args.checkpointed_share).items() if v is not None}
    s = make_settings(profile, model=args.arch, **over)
    device, dtype = pick_device(s.precision if torch.cuda.is_available() else 'auto')
    if args.memory_cap_gb and device.type == 'cuda':
        total = torch.cuda.get_device_properties(device).total_memory
        torch.cuda.set_per_process_memory_fraction(min(1.0, args.memory_cap_gb * 2**30 / total), device.index or 0)
    if device.type == 'cpu' and s.cpu_threads: torch.set_num_threads(s.cpu_threads)
    cfg = arch_config(args.arch)
    torch.manual_seed(0)
    t = time.perf_counter()
    if s.qlora: model = random_checkpoint_in_4bit(cfg, s, device, dtype)
    else:
        with torch.device(device):
            model = AutoModelForCausalLM.from_config(cfg, dtype=dtype, attn_implementation=attention_implementation(s.attention))
        if s.kernels == 'liger': use_liger_kernels(model, device)
    model.config.use_cache = False
    model = attach_lora(model, s)
    built = time.perf_counter() - t
    per_batch = s.max_seq_len * s.batch_size
    examples = synthetic_examples(per_batch * (args.steps + args.warmup) * 2, s.max_seq_len, cfg.vocab_size)
    results = dict(arch=args.arch, profile=profile, device=str(device), dtype=str(dtype).replace('torch.', ''),
                   seq_len=s.max_seq_len, batch_size=s.batch_size, grad_accum=s.grad_accum,
                   checkpointing=s.gradient_checkpointing and s.checkpointed_share, attention=s.attention,
                   compile=s.compile, qlora=s.qlora, kernels=s.kernels,
                   memory_cap_gb=args.memory_cap_gb, build_seconds=round(built, 1),
                   estimate_gib=memory_estimate(args.arch, s.max_seq_len, s.batch_size,
                                                s.gradient_checkpointing and s.checkpointed_share,
                                                qlora=s.qlora, lora_r=s.lora_r, loss_chunk=s.loss_chunk)['total'])
    if device.type == 'cuda':
        name = torch.cuda.get_device_name(device)
        peak = args.peak_tflops or next((v for k, v in PEAK_TFLOPS.items() if k in name), None)
        results.update(gpu=name, peak_tflops=peak, matmul_tflops=round(measured_matmul_tflops(device), 1),
                       copy_tbps=round(measured_copy_tbps(device), 2))
    runs = [('packed', pack_examples(examples, s.max_seq_len))]
    if args.compare_padded: runs.append(('padded', one_per_sequence(examples, s.max_seq_len)))
    if args.compare_leaky: runs.append(('leaky', leaky(runs[0][1])))
    for label, data in runs:
        batches = data.batches(s.batch_size)
        if s.compile:  # the narrow batches first, in the untimed warm-up: the compiled layers go dynamic there, not later
            batches.sort(key=lambda b: b['input_ids'].shape[1])
        if device.type == 'cuda': torch.cuda.empty_cache(); torch.cuda.reset_peak_memory_stats(device)
        try: tps, losses, secs = timed_loop(model, batches, s, device, dtype, args.steps, args.warmup)
        except torch.OutOfMemoryError as e:
            results[label] = dict(error=f'out of memory: {str(e).splitlines()[0][:200]}'); continue
        flops = lora_flops_per_token(args.arch, batches[:args.steps + args.warmup], s.lora_r)
        r = dict(tokens_per_second=round(tps, 1), packing_efficiency=round(data.efficiency(s.batch_size), 4),
                 peak_memory_gib=round(gib(peak_memory(device)), 2), seconds=round(secs, 2),
                 loss_first=round(losses[0], 3), loss_last=round(losses[-1], 3),
                 model_tflops=round(tps * flops / 1e12, 1))
        if device.type == 'cuda':
            if results.get('peak_tflops'): r['mfu'] = round(r['model_tflops'] / results['peak_tflops'], 3)
            r['mfu_vs_measured_matmul'] = round(r['model_tflops'] / results['matmul_tflops'], 3)
        if args.project_to and label == 'packed':
            r.update(project(model, batches, s, device, dtype, tps, results, args.project_to))
        results[label] = r
    return results

def random_checkpoint_in_4bit(cfg, settings, device, dtype):
    "QLoRA on random weights: save a random bf16 checkpoint, then load it through codelupe's own 4-bit loading path."
    import torch
    from transformers import AutoModelForCausalLM
    folder = Path(tempfile.mkdtemp(prefix='codelupe-random-'))
    with torch.device('cpu'): AutoModelForCausalLM.from_config(cfg, dtype=torch.bfloat16).save_pretrained(folder)
    return load_model(str(folder), settings, device, dtype)

def demo_samples(limit_chars=200_000):
    "The demo corpus's files as samples (no store needed)."
    from codelupe.core import demo_data_path
    from codelupe.sources import iter_files
    out = []
    for f in iter_files([str(demo_data_path())]):
        if len(f.content) >= 32: out.append(dict(id=len(out) + 1, path=f.path, content=f.content, language=f.language, repo=None))
    return out

def bench_tiny(args):
    "codelupe's packed loop against a plain transformers Trainer padding to the longest sample, on the tiny model."
    import torch
    from transformers import Trainer, TrainingArguments
    s = make_settings('cpu-tiny', model='tiny', epochs=args.epochs, max_seq_len=args.seq_len)
    samples = demo_samples()
    work = Path(tempfile.mkdtemp())
    path = str(tiny_model(work/'tiny', [x['content'] for x in samples]))
    tok = load_tokenizer(path)
    device, dtype = pick_device('auto')
    if device.type == 'cpu' and s.cpu_threads: torch.set_num_threads(s.cpu_threads)
    examples = tokenize_samples(samples, tok, s)
    if args.code_lengths:  # random tokens with code-like lengths instead of the demo files (which are short and even)
        examples = synthetic_examples(args.code_lengths, s.max_seq_len, len(tok))
    packed = pack_examples(examples, s.max_seq_len)
    batches = packed.batches(s.batch_size, tok.pad_token_id)
    steps = len(batches) * args.epochs
    model = attach_lora(load_model(path, s, device, dtype), s)
    if device.type == 'cuda': torch.cuda.reset_peak_memory_stats(device)
    tps, losses, secs = timed_loop(model, batches, s, device, dtype, steps, warmup=1)
    ours = dict(tokens_per_second=round(tps, 1), packing_efficiency=round(packed.efficiency(s.batch_size), 4),
                peak_memory_mib=round(peak_memory(device) / 2**20, 1), steps=steps, sequences=len(packed.sequences),
                loss_first=round(losses[0], 3), loss_last=round(losses[-1], 3))

    class Padded(torch.utils.data.Dataset):  # one sample per row, padded per batch by the collator
        def __len__(self): return len(examples)
        def __getitem__(self, i): return examples[i].ids
    def collate(rows):
        width = max(map(len, rows))
        ids = torch.tensor([r + [tok.pad_token_id] * (width - len(r)) for r in rows])
        mask = torch.tensor([[1] * len(r) + [0] * (width - len(r)) for r in rows])
        return dict(input_ids=ids, attention_mask=mask, labels=ids.masked_fill(mask == 0, -100))
    plain = replace(s, attention='sdpa')  # plain transformers: its SDPA with the padding mask
    baseline_model = attach_lora(load_model(path, plain, device, dtype), plain)
    targs = TrainingArguments(output_dir=str(work/'trainer'), per_device_train_batch_size=s.batch_size,
                              num_train_epochs=args.epochs, learning_rate=s.learning_rate, lr_scheduler_type='cosine',
                              warmup_steps=s.warmup_ratio, logging_strategy='no', save_strategy='no', report_to=[],
                              use_cpu=device.type == 'cpu', bf16=dtype == torch.bfloat16, disable_tqdm=True,
                              dataloader_num_workers=0, seed=0)
    trainer = Trainer(model=baseline_model, args=targs, train_dataset=Padded(), data_collator=collate)
    real = sum(len(e) for e in examples) * args.epochs
    padded_tokens = 0
    order = list(range(len(examples)))
    for i in range(0, len(order), s.batch_size):  # what the padded batches feed (Trainer shuffles; the mean is alike)
        group = [len(examples[j]) for j in order[i:i + s.batch_size]]
        padded_tokens += max(group) * len(group)
    t = time.perf_counter()
    out = trainer.train()
    secs_b = time.perf_counter() - t
    base = dict(tokens_per_second=round(real / secs_b, 1), padding_efficiency=round(real / (padded_tokens * args.epochs), 4),
                steps=out.global_step, loss=round(out.training_loss, 3))
    return dict(model='tiny', data='code-like lengths' if args.code_lengths else 'demo corpus', device=str(device), real_tokens=real, max_seq_len=s.max_seq_len, batch_size=s.batch_size,
                codelupe=ours, trainer_padded=base,
                speedup=round(ours['tokens_per_second'] / base['tokens_per_second'], 2))

def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--model', default=None, help='`tiny`: the CPU comparison against a padded Trainer baseline')
    p.add_argument('--arch', choices=list(ARCHITECTURES), help='a real architecture with random weights')
    p.add_argument('--random-init', action='store_true', help='with --arch: random weights (the only mode; nothing is downloaded)')
    p.add_argument('--profile', choices=list(PROFILES), help='settings profile (default: from the architecture)')
    p.add_argument('--seq-len', type=int); p.add_argument('--batch-size', type=int)
    p.add_argument('--grad-accum', type=int, help='micro-batches per optimizer step (default: from the profile)')
    p.add_argument('--compile', action='store_true', help='torch.compile each decoder layer')
    p.add_argument('--kernels', choices=['torch', 'liger'], help="liger: Liger's Triton kernels (CUDA)")
    p.add_argument('--checkpointed-share', type=float, help='share of the layers that recompute in backward (default 1.0)')
    p.add_argument('--qlora', action='store_true', help='4-bit NF4 base (needs bitsandbytes); the random weights are saved and reloaded')
    p.add_argument('--checkpointing', type=lambda v: v.lower() in ('1', 'true', 'yes'), help='override: true/false')
    p.add_argument('--steps', type=int, default=10, help='timed micro-steps (default 10)')
    p.add_argument('--warmup', type=int, default=2, help='untimed first steps (default 2)')
    p.add_argument('--epochs', type=int, default=1, help='--model tiny: passes over the demo corpus')
    p.add_argument('--code-lengths', type=int, metavar='TOKENS',
                   help='--model tiny: this many tokens of random samples with code-like lengths (log-normal, median '
                        '700 tokens) instead of the demo corpus; use with --seq-len 2048 or 4096')
    p.add_argument('--memory-cap-gb', type=float, help='limit PyTorch to this much GPU memory (32 for an RTX 5090)')
    p.add_argument('--compare-padded', action='store_true', help='also time one sample per sequence, padded')
    p.add_argument('--compare-leaky', action='store_true', help='also time naive packing (no position restarts): the cost of isolation')
    p.add_argument('--attention', help='attention implementation: sdpa (default), segments (SDPA per packed sample), eager, flex_attention')
    p.add_argument('--peak-tflops', type=float, help='dense bf16 peak of the card for MFU')
    p.add_argument('--project-to', choices=list(CARDS), help='profile the packed run and project its tokens/s onto this '
                   'card: tensor-core time scaled by matmul throughput, the rest by memory bandwidth (GPU)')
    p.add_argument('--json', action='store_true', help='print one JSON object')
    args = p.parse_args(argv)
    from codelupe.core import CodelupeError
    try: res = bench_arch(args) if args.arch else bench_tiny(args)
    except CodelupeError as e: print(f'train_throughput: {e}', file=sys.stderr); return 2
    if args.json: print(json.dumps(res)); return 0
    for k, v in res.items():
        if isinstance(v, dict):
            print(f'{k}:')
            for k2, v2 in v.items(): print(f'    {k2:>24}: {v2:,}' if isinstance(v2, (int, float)) else f'    {k2:>24}: {v2}')
        else: print(f'{k:>28}: {v:,}' if isinstance(v, (int, float)) and not isinstance(v, bool) else f'{k:>28}: {v}')
    return 0

if __name__ == '__main__': sys.exit(main())
