"""Throughput of the whole `codelupe curate` pipeline into a fresh store, and of the store's bulk insert.

    python bench/scan_throughput.py [DIR] [--workers N] [--peers]

DIR defaults to the running Python's standard library (about 1,800 files / 36 MB; `site-packages` is vendored and skipped).
Prints files/s and MB/s for the quality layer plus store (target >= 20 MB/s on 2 cores), with security and secrets,
the four layers of the secrets issue (target: at most twice `gitleaks dir` on the same folder), all layers, rows/s of the bulk insert (target >= 50,000 samples/s), and with `--peers` the time of the
peers installed on this machine (gitleaks, detect-secrets, bandit) on the same folder.
"""
import argparse, os, shutil, subprocess, sys, tempfile, time
from pathlib import Path

def curate_once(folder, layers, workers):
    from codelupe.curate import curate
    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        res = curate([folder], db=Path(tmp)/'bench.duckdb', workers=workers, layers=layers)
        return res, time.perf_counter() - t

def show(label, res, seconds):
    mb = res.bytes_seen / 1e6
    print(f'{label:<38} {res.files_seen:>6,} files {mb:>7.1f} MB {seconds:>7.2f} s '
          f'{res.files_seen / seconds:>8,.0f} files/s {mb / seconds:>7.1f} MB/s   accepted {res.accepted:,}, rejected {res.rejected_total:,}')
    layer_s = ', '.join(f'{s.layer} {s.seconds:.2f}s' for s in res.stats if s.seconds)
    print(f'{"":<38} layer CPU seconds (all workers): {layer_s}')

def bulk_insert(n=100_000):
    from codelupe.core import SourceFile, Repo
    from codelupe.store import SampleStore, repo_fingerprint
    files = [SourceFile(f'pkg/module_{i}.py', f'def f_{i}(x):\n    return x + {i}\n' * 8, 'Python') for i in range(n)]
    with tempfile.TemporaryDirectory() as tmp, SampleStore(Path(tmp)/'bulk.duckdb') as store:
        t = time.perf_counter()
        store.write_repo(Repo('bench'), files, [], repo_fingerprint(files))
        dt = time.perf_counter() - t
    print(f'{"bulk insert (one transaction)":<38} {n:>6,} samples {dt:>7.2f} s {n / dt:>10,.0f} samples/s')

def peer(name, cmd):
    if not shutil.which(cmd[0]): print(f'{name:<38} not installed here'); return
    t = time.perf_counter()
    subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    print(f'{name:<38} {time.perf_counter() - t:>7.2f} s   ({" ".join(cmd[:3])} ...)')

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('folder', nargs='?', default=str(Path(os.__file__).parent))
    ap.add_argument('--workers', type=int, default=os.cpu_count())
    ap.add_argument('--peers', action='store_true', help='also time gitleaks, detect-secrets and bandit if installed')
    a = ap.parse_args()
    print(f'corpus {a.folder}, {a.workers} workers, {os.cpu_count()} cores, Python {sys.version.split()[0]}')
    curate_once(a.folder, ['quality'], a.workers)  # warm the page cache
    show('curate, quality layer + store', *curate_once(a.folder, ['quality'], a.workers))
    show('curate, quality + security + secrets', *curate_once(a.folder, ['quality', 'security', 'secrets'], a.workers))
    show('curate, four layers (+ license)', *curate_once(a.folder, ['quality', 'security', 'secrets', 'license'], a.workers))
    show('curate, all layers', *curate_once(a.folder, None, a.workers))
    bulk_insert()
    if a.peers:
        peer('gitleaks dir', ['gitleaks', 'dir', a.folder, '--no-banner'])
        # the same files codelupe reads: site-packages is vendored code that curate skips
        peer('detect-secrets scan', ['detect-secrets', 'scan', '--all-files', a.folder, '--exclude-files', 'site-packages'])
        peer('bandit -r (HIGH only)', ['bandit', '-r', a.folder, '-q', '-lll', '-f', 'json', '-x', os.path.join(a.folder, 'site-packages')])

if __name__ == '__main__': main()
