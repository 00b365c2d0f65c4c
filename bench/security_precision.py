"""Precision and speed of the security layer on real code: the running Python's standard library.

Prints the share of files rejected as malicious (target < 0.5%; bandit reports HIGH severity on 2.6% of them), which files
and why, the findings per rule, and single-core throughput (target >= 50 MB/s).
Usage: python bench/security_precision.py [--root DIR] [--repeat N] [--bandit]
"""
import argparse, collections, subprocess, sys, sysconfig, time
from pathlib import Path
from codelupe.scanners.security import scan_security, security_verdict, RULES, CHAIN_IDS, CATEGORIES

def stdlib_files(root:Path) -> list:
    "(relative path, text) of every .py file under `root`, site-packages excluded."
    out = []
    for p in sorted(root.rglob('*.py')):
        if 'site-packages' in p.parts: continue
        try: out.append((str(p.relative_to(root)), p.read_text(encoding='utf-8', errors='replace')))
        except OSError: pass
    return out

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('--root', default=sysconfig.get_paths()['stdlib'], help='folder to scan (default: this Python\'s stdlib)')
    ap.add_argument('--repeat', type=int, default=3, help='timed passes; the best is reported')
    ap.add_argument('--bandit', action='store_true', help='also run bandit (if installed) and count files with a HIGH finding')
    args = ap.parse_args()
    files = stdlib_files(Path(args.root))
    size = sum(len(t.encode('utf-8', 'surrogatepass')) for _, t in files)
    print(f'{len(RULES)} rules ({len(CHAIN_IDS)} chains) in {len(CATEGORIES)} categories')
    print(f'{args.root}: {len(files)} files, {size / 1e6:.1f} MB')
    scan_security('x = 1\n', 'warm.py')  # build the prefilter and compile the rules once
    best, results = None, None
    for _ in range(max(1, args.repeat)):
        start = time.process_time()
        run = [(p, scan_security(t, p)) for p, t in files]
        spent = time.process_time() - start
        if best is None or spent < best: best, results = spent, run
    rejected = [(p, security_verdict(fs).reason, fs) for p, fs in results if not security_verdict(fs).accepted]
    print(f'security: {best:.2f} s CPU on one core = {size / 1e6 / best:.1f} MB/s')
    print(f'rejected as malicious: {len(rejected)} / {len(files)} = {100 * len(rejected) / len(files):.2f}% (target < 0.5%; bandit HIGH: 2.6%)')
    for p, reason, fs in rejected:
        f = next(f for f in fs if f.rule == reason)
        print(f'  {p}:{f.line}  {reason}: {f.message}')
    counts = collections.Counter(f.rule for _, fs in results for f in fs)
    files_with = collections.Counter(rule for _, fs in results for rule in {f.rule for f in fs})
    print('findings per rule (findings / files):')
    for rule, n in counts.most_common(): print(f'  {rule:28} {n:6} / {files_with[rule]}')
    if args.bandit:
        try:
            out = subprocess.run([sys.executable, '-m', 'bandit', '-r', '-q', '-lll', '-f', 'csv', '-x', '*/site-packages/*', args.root],
                                 capture_output=True, text=True).stdout
            high = {line.split(',')[0] for line in out.splitlines()[1:] if line}
            print(f'bandit: {len(high)} / {len(files)} files with a HIGH finding = {100 * len(high) / len(files):.2f}%')
        except FileNotFoundError: print('bandit: not installed')

if __name__ == '__main__': main()
