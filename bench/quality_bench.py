"""Single-core speed and reject rate of the quality layer on the Python standard library (or any folder).

    python bench/quality_bench.py [ROOT] [--show N] [--repeat K]
"""
from __future__ import annotations
import argparse, os, sysconfig, time
from collections import Counter

from codelupe.core import SourceFile
from codelupe.scanners.quality import QualityScanner, language_of

SKIP_DIRS = {'site-packages', 'dist-packages', '__pycache__', '.git'}

def _detector():
    try:
        from codelupe.sources import detect_language
        return detect_language
    except ImportError: # until codelupe.sources is built: the data formats, and the code the standard library holds
        code = {'.py': 'Python', '.c': 'C', '.h': 'C', '.sh': 'Shell', '.js': 'JavaScript', '.bat': 'Batchfile'}
        return lambda path, content=None: language_of(path) or code.get(os.path.splitext(path)[1])

def load(root:str) -> list[SourceFile]:
    "Every UTF-8 text file under `root`, skipping installed packages and caches."
    detect, files = _detector(), []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for name in sorted(names):
            path = os.path.join(folder, name)
            if os.path.islink(path): continue
            try: raw = open(path, 'rb').read()
            except OSError: continue
            if b'\0' in raw[:8192]: continue
            try: text = raw.decode('utf-8')
            except UnicodeDecodeError: continue
            rel = os.path.relpath(path, root).replace(os.sep, '/')
            files.append(SourceFile(rel, text, detect(rel, text)))
    return files

def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('root', nargs='?', default=sysconfig.get_paths()['stdlib'])
    parser.add_argument('--show', type=int, default=3, help='rejected paths to list per reason')
    parser.add_argument('--repeat', type=int, default=3, help='timed passes; the best one is reported')
    args = parser.parse_args()
    files = load(args.root)
    megabytes = sum(f.size for f in files) / 1e6
    best = float('inf')
    for _ in range(args.repeat):
        scanner = QualityScanner()
        for f in files: f.findings, f.quality = [], None
        start = time.process_time()
        decisions = [scanner(f) for f in files]
        best = min(best, time.process_time() - start)
    print(f'{args.root}: {len(files)} files, {megabytes:.1f} MB')
    print(f'quality layer, one core: {megabytes / best:.1f} MB/s ({best:.2f} s CPU, best of {args.repeat})')
    rejected = [(f, d) for f, d in zip(files, decisions) if not d.accepted]
    print(f'rejected: {len(rejected)} files ({len(rejected) / len(files):.2%}); by first reason:')
    for reason, n in Counter(d.reason for _, d in rejected).most_common():
        examples = [f.path for f, d in rejected if d.reason == reason][:args.show]
        print(f'  {reason:22s} {n:5d}  {len(rejected) and n / len(files):.2%}  e.g. {", ".join(examples)}')
    fired = Counter(x.rule for f in files for x in f.findings)
    print('signals fired (all files, accepted or not): ' + ', '.join(f'{r} {n}' for r, n in fired.most_common()))

if __name__ == '__main__': main()
