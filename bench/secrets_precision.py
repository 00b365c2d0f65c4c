"""Secret-scanner flag rate and speed on the running Python's standard library (no secrets expected there).

Prints files scanned, MB, files flagged (target: under 1%; detect-secrets flags 2.8%), the rules behind the flags,
and single-core throughput in MB/s (target: at least 50). Usage: python bench/secrets_precision.py [ROOT] [--list]
"""
import os, sys, sysconfig, time
from collections import Counter
from codelupe.scanners.secrets import find_secrets

DETECT_SECRETS_FLAG_RATE = 0.028  # detect-secrets on the same tree (issue figure)

def stdlib_files(root):
    "Paths and texts of the .py files under `root`, site-packages excluded."
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != 'site-packages')
        for name in sorted(names):
            if name.endswith('.py'):
                path = os.path.join(folder, name)
                with open(path, encoding='utf-8', errors='replace') as f: yield os.path.relpath(path, root), f.read()

def main(argv):
    args = [a for a in argv if not a.startswith('--')]
    root = args[0] if args else sysconfig.get_paths()['stdlib']
    files = list(stdlib_files(root))
    size = sum(len(t.encode('utf-8', 'surrogatepass')) for _, t in files)
    find_secrets('warm up: token = "x"')
    best, flagged = float('inf'), {}
    for _ in range(3):
        start = time.process_time()
        found = {path: find_secrets(text, path) for path, text in files}
        best = min(best, time.process_time() - start)
        flagged = {p: ms for p, ms in found.items() if ms}
    rules = Counter(m.rule.id for ms in flagged.values() for m in ms)
    files_by_rule = Counter(r for ms in flagged.values() for r in {m.rule.id for m in ms})
    print(f'root: {root}')
    print(f'files: {len(files)}, {size / 1e6:.1f} MB')
    print(f'flagged: {len(flagged)} files = {len(flagged) / len(files):.2%} (target < 1%; detect-secrets {DETECT_SECRETS_FLAG_RATE:.1%})')
    print('findings by rule (files):', ', '.join(f'{r} {n} ({files_by_rule[r]})' for r, n in rules.most_common()))
    print(f'speed: {best:.2f} s CPU, {size / 1e6 / best:.0f} MB/s on one core (target >= 50)')
    if '--list' in argv:
        for path, ms in sorted(flagged.items()):
            for m in ms: print(f'  {path}:{m.line}: {m.rule.id} {m.redacted}')

if __name__ == '__main__': main(sys.argv[1:])
