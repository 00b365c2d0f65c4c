"""Near-deduplication: speed, memory per million samples, store footprint, recall and false pairs.

    python bench/dedup_bench.py [DIR] [--samples N] [--quick]

DIR defaults to the running Python's standard library (`site-packages` and caches skipped). Prints:
1. signatures/s on one core over DIR's .py files, codelupe's vectorised MinHash vs datasketch's `update_batch` (SHA-1 per
   shingle) on the same shingles (the peer);
2. the writer's path (`check_files` + `write_repo` + `commit`) in samples/s into a fresh store, with DIR written twice
   (the second copy with one identifier renamed in every file);
3. memory of the in-memory index and disk of `lsh_bands` per million samples (random band keys: both depend only on
   the number of samples), load time, and datasketch's `MinHashLSH` memory for the same keys, extrapolated;
4. recall: each top-level stdlib module with one identifier renamed throughout and its functions reordered, and with
   every identifier renamed (type-2), caught by plain and identifier-normalized shingles;
5. false pairs: near-duplicate pairs among the stdlib's top-level modules, plain and normalized.
"""
from __future__ import annotations
import argparse, ast, os, random, re, sys, sysconfig, tempfile, time, tracemalloc
from collections import Counter
from pathlib import Path

import numpy as np
from codelupe.core import SourceFile, Repo
from codelupe.dedup import (DedupSettings, NearDuplicateIndex, minhash_signature, band_keys, shingle_hashes, tokenize,
                            find_near_duplicates, jaccard, reorder_top_level, KEYWORDS, TOKEN)

SKIP_DIRS = {'site-packages', 'dist-packages', '__pycache__', '.git'}

def python_files(root:Path, limit:int|None=None) -> list[tuple[str, str]]:
    "(relative path, text) of the UTF-8 .py files under `root`."
    out = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS)
        for name in sorted(names):
            if not name.endswith('.py'): continue
            p = Path(folder, name)
            try: out.append((str(p.relative_to(root)), p.read_text(encoding='utf-8')))
            except (UnicodeDecodeError, OSError): continue
            if limit and len(out) >= limit: return out
    return out

def rss_mb() -> float:
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmRSS'): return int(line.split()[1]) / 1024
    return 0.0

def signatures_speed(files):
    texts = [t for _, t in files]
    mb = sum(len(t.encode()) for t in texts) / 1e6
    t0, c0 = time.perf_counter(), time.process_time()
    sigs = [minhash_signature(t) for t in texts]
    dt, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(f'signatures (codelupe, 256 perm)    {len(texts):>6,} files {mb:6.1f} MB {dt:6.2f} s {len(texts)/dt:8,.0f} samples/s {mb/dt:6.1f} MB/s '
          f'(per CPU second: {len(texts)/cpu:,.0f} samples/s, {mb/cpu:.1f} MB/s)')
    from datasketch import MinHash
    sample = texts[:max(1, len(texts) // 4)]
    t0 = c0 = time.process_time()
    for t in sample:
        toks = TOKEN.findall(t)
        m = MinHash(256, scheme='affine32')
        m.update_batch([' '.join(toks[i:i + 5]).encode() for i in range(len(toks) - 4)])
    dt2 = time.process_time() - t0
    c0 = time.process_time()
    for t in sample: minhash_signature(t)
    ours = time.process_time() - c0
    print(f'signatures (datasketch update_batch) {len(sample):>5,} files {"":>9} {dt2:6.2f} s CPU {len(sample)/dt2:8,.0f} samples/s per CPU second; '
          f'codelupe on the same files {len(sample)/ours:,.0f} samples/s per CPU second ({dt2/ours:.1f}x)')
    return sigs

def rename_one(text:str, pick:str='random', seed:int=0) -> str:
    "`text` with one identifier of 4+ letters (not a keyword) renamed throughout: a random one, or the most frequent."
    counts = Counter(t for t in TOKEN.findall(text) if len(t) >= 4 and t not in KEYWORDS and not t[0].isdigit())
    if not counts: return text
    name = counts.most_common(1)[0][0] if pick == 'frequent' else random.Random(seed).choice(sorted(counts))
    return re.sub(rf'\b{re.escape(name)}\b', name + '_renamed', text)

MODES = {'plain (The Stack)': {}, 'plain, recall_weight 0.9 + verify': dict(recall_weight=0.9, verify=True),
         'normalized': dict(normalize_identifiers=True), 'normalized + verify': dict(normalize_identifiers=True, verify=True)}

def writer_speed(files, sigs, label='default', **overrides):
    from codelupe.store import SampleStore, repo_fingerprint
    with tempfile.TemporaryDirectory() as tmp:
        with SampleStore(Path(tmp)/'bench.duckdb') as store:
            index = NearDuplicateIndex.load(store, **overrides)
            by_repo = {}
            for (path, text), sig in zip(files, sigs): by_repo.setdefault(path.split('/')[0] if '/' in path else '(top)', []).append((path, text, sig))
            copies = {name: [(p, rename_one(t), None) for p, t, _ in rows] for name, rows in by_repo.items()} # one random identifier renamed
            copy_sigs = {name: [minhash_signature(t) for _, t, _ in rows] for name, rows in copies.items()}
            n = rejected = 0; check_s = 0.0
            t0, c0 = time.perf_counter(), time.process_time()
            for round_, repos in enumerate([by_repo, copies]):
                for name, rows in repos.items():
                    repo = Repo(f'bench/{round_}/{name}', name)
                    fs = [SourceFile(p, t, 'Python', repo) for p, t, _ in rows]
                    given = [s for _, _, s in rows] if round_ == 0 else copy_sigs[name]
                    c1 = time.perf_counter()
                    kept, near = index.check_files(fs, given, store)
                    check_s += time.perf_counter() - c1
                    store.write_repo(repo, kept, near, repo_fingerprint(fs))
                    c1 = time.perf_counter(); index.commit(store); check_s += time.perf_counter() - c1
                    n += len(fs); rejected += len(near)
            dt, cpu = time.perf_counter() - t0, time.process_time() - c0
            print(f'writer ({label}): check + write_repo + commit {n:>6,} files {dt:6.2f} s {n/dt:8,.0f} samples/s ({n/cpu:,.0f} per CPU second); '
                  f'near-dup work alone {n/check_s:,.0f} samples/s; near-duplicates rejected {rejected:,} of {n//2:,} renamed copies')

def memory_and_disk(samples:int):
    rng = np.random.default_rng(0)
    s = DedupSettings()
    tracemalloc.start()
    index = NearDuplicateIndex(s)
    r0 = rss_mb()
    t0 = time.perf_counter()
    step = 2000
    for start in range(0, samples, step):
        index.add_many(rng.integers(0, 2**64 - 1, size=(min(step, samples - start), s.bands), dtype=np.uint64),
                       np.arange(start, min(start + step, samples)))
    dt = time.perf_counter() - t0
    current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    scale = 1e6 / samples
    print(f'index in memory: {samples:,} samples, {len(index._runs)} runs: {current/1e6*scale:,.0f} MB per million samples '
          f'(peak {peak/1e6*scale:,.0f} MB while merging; RSS +{(rss_mb()-r0)*scale:,.0f} MB); inserts {samples/dt:,.0f} samples/s')
    queries = rng.integers(0, 2**64 - 1, size=(2000, s.bands), dtype=np.uint64)
    t0 = time.perf_counter(); index._run_hits(queries); dq = time.perf_counter() - t0
    print(f'queries against {samples:,}: {2000/dq:,.0f} samples/s (batched, as check_files does)')
    # disk and load time
    from codelupe.store import SampleStore
    import pyarrow as pa
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp)/'disk.duckdb'
        with SampleStore(db) as store:
            from codelupe.dedup import ensure_tables
            ensure_tables(store.con)
            store.con.execute('CHECKPOINT'); before = db.stat().st_size
            keys = np.concatenate([k for k, _, _ in index._runs]); values = np.concatenate([v for _, v, _ in index._runs])
            band_rows = pa.table({'band_key': pa.array(keys, pa.uint64()), 'sample_id': pa.array(values, pa.int64())})
            store.con.execute('INSERT INTO lsh_bands SELECT * FROM band_rows')
            store.con.execute("INSERT OR REPLACE INTO lsh_state VALUES ('settings', ?), ('indexed_through', ?)",
                              [__import__('json').dumps(s.index_key()), str(samples)])
            # samples rows so that load's semi-join keeps them
            store.con.execute("INSERT INTO samples(id, sha256) SELECT range, CAST(range AS VARCHAR) FROM range(?)", [samples])
            store.con.execute('CHECKPOINT')
            after = db.stat().st_size
        del index, keys, values, band_rows
        with SampleStore(db) as store:
            t0 = time.perf_counter(); loaded = NearDuplicateIndex.load(store); dl = time.perf_counter() - t0
        print(f'lsh_bands on disk: {(after - before)/1e6*scale:,.0f} MB per million samples; load {dl:.2f} s for {samples:,} '
              f'({dl*scale:.1f} s per million)')
    # datasketch's MinHashLSH on the same number of keys, measured on a slice
    from datasketch import MinHashLSH, MinHash
    n = min(20_000, samples)
    sigs = rng.integers(0, 2**32 - 1, size=(n, s.num_perm), dtype=np.uint32)
    tracemalloc.start()
    lsh = MinHashLSH(threshold=s.threshold, num_perm=s.num_perm)
    for i in range(n): lsh.insert(i, MinHash(hashvalues=sigs[i], scheme='affine32'))
    cur, _ = tracemalloc.get_traced_memory(); tracemalloc.stop()
    print(f'datasketch MinHashLSH (peer): {cur/1e6*1e6/n:,.0f} MB per million samples (measured on {n:,})')

def recall(lib:Path):
    mods = [(p.name, p.read_text(encoding='utf-8', errors='replace')) for p in sorted(lib.glob('*.py'))]
    cases, m = Counter(), 0
    for name, text in mods:
        if len(tokenize(text)) < 50: continue
        try: copies = {'one identifier (random) + reorder': reorder_top_level(rename_one(text)),
                       'one identifier (most frequent) + reorder': reorder_top_level(rename_one(text, 'frequent'))}
        except SyntaxError: continue
        names = {}
        copies['type-2 (every identifier of 4+ letters)'] = TOKEN.sub(lambda t: t.group(0) if t.group(0) in KEYWORDS or len(t.group(0)) < 4
            or t.group(0)[0].isdigit() else names.setdefault(t.group(0), f'v{len(names)}'), text)
        m += 1
        for label, copy in copies.items():
            at_least = jaccard(text, copy) >= 0.7
            cases[(label, 'J>=0.7')] += at_least
            for mode, kw in MODES.items():
                hit = bool(find_near_duplicates([('a', text), ('b', copy)], **kw))
                cases[(label, mode)] += hit; cases[(label, mode, 'J>=0.7')] += hit and at_least
    print(f'recall over {m} top-level stdlib modules (50+ tokens); in brackets: among pairs whose plain Jaccard is >= 0.7')
    for label in ('one identifier (random) + reorder', 'one identifier (most frequent) + reorder', 'type-2 (every identifier of 4+ letters)'):
        print(f'  {label} ({cases[(label, "J>=0.7")]} pairs at J >= 0.7):')
        for mode in MODES:
            print(f'    {mode:<36} {cases[(label, mode)]:>4}/{m} ({cases[(label, mode)]/m:.0%})   [{cases[(label, mode, "J>=0.7")]}/{cases[(label, "J>=0.7")]}]')

def false_pairs(lib:Path):
    mods = [(p.name, p.read_text(encoding='utf-8', errors='replace')) for p in sorted(lib.glob('*.py'))]
    text = dict(mods)
    for mode, kw in MODES.items():
        pairs = find_near_duplicates(mods, **kw)
        print(f'pairs among {len(mods)} top-level stdlib modules, {mode}: {len(pairs)}')
        for p in pairs:
            print(f'    {p.path} ~ {p.twin_path}: Jaccard {p.jaccard:.2f} ({mode}), {jaccard(text[p.path], text[p.twin_path]):.2f} plain')
    files = [(p, t) for p, t in python_files(lib) if not any(x.startswith('test') or x.endswith('_test') or x == 'tests'
                                                              for x in p.split('/')[:-1])]
    text = dict(files)
    print(f'pairs among all {len(files)} non-test stdlib .py files; "structural only": plain Jaccard < 0.3, by folder')
    for mode, kw in MODES.items():
        pairs = find_near_duplicates(files, **kw)
        low = [p for p in pairs if jaccard(text[p.path], text[p.twin_path]) < 0.3]
        folders = Counter(p.path.rsplit('/', 1)[0] if '/' in p.path else '(top)' for p in low)
        print(f'    {mode:<36} {len(pairs):>4} pairs, {len(low):>3} structural only {dict(folders.most_common())}')

def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument('root', nargs='?', default=sysconfig.get_paths()['stdlib'])
    ap.add_argument('--samples', type=int, default=1_000_000, help='samples for the memory and disk figures')
    ap.add_argument('--quick', action='store_true', help='500 files and 100,000 samples')
    a = ap.parse_args()
    root, lib = Path(a.root), Path(sysconfig.get_paths()['stdlib'])
    files = python_files(root, 500 if a.quick else None)
    sigs = signatures_speed(files)
    writer_speed(files, sigs)
    writer_speed(files, sigs, 'measure_jaccard=True', measure_jaccard=True)
    memory_and_disk(100_000 if a.quick else a.samples)
    recall(lib)
    false_pairs(lib)

if __name__ == '__main__': main()
