"""Throughput of `codelupe.sources.open_source` on a folder (default: this Python's standard library).

Usage: python bench/sources_walk.py [FOLDER] [--repeat N]
Prints files read, files skipped by reason, MB of text and MB/s (best of N runs, warm page cache).
"""
import argparse, collections, sys, sysconfig, time

from codelupe.sources import open_source


def run(folder: str):
    start = time.perf_counter()
    files = skipped = 0
    text_bytes = 0
    reasons = collections.Counter()
    for batch in open_source(folder):
        files += len(batch.files)
        text_bytes += sum(len(f.content.encode('utf-8', 'surrogatepass')) for f in batch.files)
        for s in batch.skipped: reasons[s.reason] += 1
        skipped += len(batch.skipped)
    return time.perf_counter() - start, files, text_bytes, reasons


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('folder', nargs='?', default=sysconfig.get_paths()['stdlib'])
    parser.add_argument('--repeat', type=int, default=3)
    args = parser.parse_args()
    runs = [run(args.folder) for _ in range(args.repeat)]
    seconds, files, text_bytes, reasons = min(runs, key=lambda r: r[0])
    print(f'folder:   {args.folder}')
    print(f'files:    {files} read, skipped {dict(reasons.most_common())}')
    print(f'text:     {text_bytes / 1e6:.1f} MB')
    print(f'time:     {seconds:.2f} s (best of {args.repeat}: {", ".join(f"{r[0]:.2f}" for r in runs)})')
    print(f'speed:    {text_bytes / 1e6 / seconds:.0f} MB/s, {files / seconds:.0f} files/s')


if __name__ == '__main__':
    sys.exit(main())
