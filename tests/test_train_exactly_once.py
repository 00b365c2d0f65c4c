"""Exactly once: kill real `codelupe train` processes at several points; the watermark, `training_runs` and
`training_samples` show that every sample is trained in exactly one recorded run, and that curation can write to the
store while a cycle trains."""
import os, random, shutil, signal, subprocess, sys, time
import duckdb, pytest
from conftest import DEMO, codelupe

import importlib.util
if any(importlib.util.find_spec(lib) is None for lib in ('torch', 'transformers', 'peft')):  # found, not imported
    pytest.skip('the training extra (torch, transformers, peft) is not installed', allow_module_level=True)

TRAIN = [sys.executable, '-m', 'codelupe.train']  # the body of `codelupe train`, standalone
CRASH_ENV = 'CODELUPE_TRAIN_CRASH_AT'              # codelupe.train.CRASH_ENV (not imported: no torch in this process)
FILTER = "coalesce(quality, 0) >= 0.5 AND length(content) BETWEEN 32 AND 200000"  # the default sample filters

def train_args(db, runs, *extra):
    return [*TRAIN, '--db', str(db), '--model', 'tiny', '--runs-dir', str(runs), *map(str, extra)]

def env_with(crash=None):
    env = {k: v for k, v in os.environ.items() if k != CRASH_ENV}
    if crash: env[CRASH_ENV] = crash
    return env

def train(db, runs, *extra, crash=None):
    "Run one training cycle in a subprocess, optionally killed with SIGKILL at a named point."
    return subprocess.run(train_args(db, runs, '--quiet', '--commit-wait', '5', *extra), env=env_with(crash),
                          capture_output=True, text=True, timeout=300)

def state(db) -> dict:
    "Watermark, committed runs and trained (non-replay) sample ids of the store."
    con = duckdb.connect(str(db), read_only=True)
    try:
        tables = {r[0] for r in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
        if 'training_runs' not in tables: return dict(watermark=0, runs=[], trained=[])
        wm = con.execute("SELECT last_trained_id FROM training_watermarks WHERE line = 'tiny'").fetchone()
        runs = con.execute("SELECT run_id, status, samples, first_sample_id, last_sample_id FROM training_runs "
                           "ORDER BY started_at").fetchall()
        trained = [r[0] for r in con.execute("SELECT sample_id FROM training_samples WHERE NOT replay ORDER BY sample_id").fetchall()]
        return dict(watermark=wm[0] if wm else 0, runs=runs, trained=trained)
    finally: con.close()

def eligible_ids(db, above=0) -> list:
    con = duckdb.connect(str(db), read_only=True)
    try: return [r[0] for r in con.execute(f"SELECT id FROM samples WHERE id > ? AND {FILTER} ORDER BY id", [above]).fetchall()]
    finally: con.close()

def fresh_repo(tmp_path, tag, files=4):
    "A new MIT-licensed repo of small, distinct Python files that curation accepts as new samples."
    root = tmp_path/f'fresh-{tag}'
    root.mkdir()
    shutil.copy(DEMO/'quickcache'/'LICENSE', root/'LICENSE')
    rng = random.Random(tag)
    words = ['price', 'total', 'count', 'index', 'weight', 'label', 'record', 'window', 'buffer', 'offset', 'score',
             'limit', 'token', 'bucket', 'cursor', 'factor']
    for i in range(files):
        a, b = rng.sample(words, 2)
        body = [f'"""Helpers for {a} and {b} ({tag}, part {i})."""', '']
        for j in range(6):
            x, y = rng.sample(words, 2)
            op = rng.choice(['+', '-', '*', 'max', 'min'])
            expr = f'{op}({x}, {y})' if op in ('max', 'min') else f'{x} {op} {y}'
            body += [f'def {x}_{y}_{tag}_{i}_{j}({x}: int, {y}: int) -> int:', f'    """Combine {x} with {y}."""',
                     f'    if {x} < 0:', f'        raise ValueError("{x} must not be negative")', f'    return {expr}', '', '']
        (root/f'{a}_{b}_{i}.py').write_text('\n'.join(body))
    return root

@pytest.fixture(scope='module')
def demo_store(tmp_path_factory):
    "The demo corpus curated once; tests train on copies."
    db = tmp_path_factory.mktemp('store')/'demo.duckdb'
    r = codelupe('curate', '--db', db, '--workers', '1', '--quiet')
    assert r.returncode == 0, r.stderr
    return db

@pytest.fixture
def store(demo_store, tmp_path):
    db = tmp_path/'demo.duckdb'
    shutil.copy(demo_store, db)
    return db

def test_kill_before_commit_then_one_clean_cycle(store, tmp_path):
    runs = tmp_path/'runs'
    want = eligible_ids(store)
    assert len(want) > 20
    for point in ['read', 'step:2', 'saved', 'commit']:  # after reading, mid-training, after saving, inside the transaction
        r = train(store, runs, crash=point)
        assert r.returncode == -signal.SIGKILL, (point, r.returncode, r.stderr[-2000:])
        assert state(store) == dict(watermark=0, runs=[], trained=[]), f'a kill at {point} left a trace in the store'
    assert any(p.is_dir() and not p.name.startswith(('.', 'tiny')) for p in runs.iterdir()), 'no run folder was saved'
    r = train(store, runs)
    assert r.returncode == 0, r.stderr[-2000:]
    s = state(store)
    assert s['trained'] == want, 'the clean cycle did not train every eligible sample exactly once'
    assert s['watermark'] == want[-1]
    assert [(st, n) for _, st, n, _, _ in s['runs']] == [('current', len(want))]

def test_kill_after_commit_never_retrains(store, tmp_path):
    runs = tmp_path/'runs'
    want = eligible_ids(store)
    r = train(store, runs, crash='committed')  # killed right after COMMIT: the run counts
    assert r.returncode == -signal.SIGKILL
    s = state(store)
    assert (s['watermark'], len(s['runs']), s['trained']) == (want[-1], 1, want)
    r = train(store, runs)
    assert r.returncode == 0 and 'nothing to train' in r.stdout, r.stdout + r.stderr[-2000:]
    assert state(store) == s
    r = codelupe('curate', fresh_repo(tmp_path, 'v2'), '--db', store, '--workers', '1', '--quiet')
    assert r.returncode == 0, r.stderr
    fresh = eligible_ids(store, above=want[-1])
    assert fresh
    r = train(store, runs, crash='step:1')
    assert r.returncode == -signal.SIGKILL
    assert state(store) == s
    r = train(store, runs)
    assert r.returncode == 0, r.stderr[-2000:]
    s2 = state(store)
    assert s2['trained'] == want + fresh  # each sample once, over two runs
    assert [st for _, st, _, _, _ in s2['runs']] == ['superseded', 'current']
    assert s2['runs'][1][3:] == (fresh[0], fresh[-1])

def wait_for_step(proc, timeout=120):
    "Read the trainer's stderr until its first progress line; returns the lines read."
    lines, deadline = [], time.time() + timeout
    while time.time() < deadline:
        line = proc.stderr.readline()
        if not line: break
        lines.append(line)
        if line.startswith('step '): return lines
    raise AssertionError('no progress line: ' + ''.join(lines)[-2000:])

def test_external_kill_9_mid_training(store, tmp_path):
    "No hook: SIGKILL from outside, to the whole process group, as soon as training has begun."
    p = subprocess.Popen(train_args(store, tmp_path/'runs', '--epochs', '5'), env=env_with(), stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, start_new_session=True)
    try: wait_for_step(p)
    finally:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait()
    assert p.returncode == -signal.SIGKILL
    assert state(store) == dict(watermark=0, runs=[], trained=[])

def hold_store(db):
    "Another process holding the store (as `codelupe curate` does while it runs)."
    holder = subprocess.Popen([sys.executable, '-c', f'import duckdb, time; c = duckdb.connect({str(db)!r}); '
                               'print("held", flush=True); time.sleep(120)'], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == 'held'
    return holder

def test_store_free_while_training_and_busy_at_commit(store, tmp_path):
    "Curation writes while a cycle trains; a store still held at commit time records nothing, and the next cycle retrains."
    runs, want = tmp_path/'runs', eligible_ids(store)
    p = subprocess.Popen(train_args(store, runs, '--epochs', '2', '--commit-wait', '1'), env=env_with(),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    holder = None
    try:
        wait_for_step(p)
        os.killpg(p.pid, signal.SIGSTOP)  # freeze the trainer mid-training
        r = codelupe('curate', fresh_repo(tmp_path, 'v3'), '--db', store, '--workers', '1', '--quiet')
        assert r.returncode == 0, 'curation could not write while the trainer trained: ' + r.stderr
        holder = hold_store(store)
        os.killpg(p.pid, signal.SIGCONT)
        out, err = p.communicate(timeout=300)
    finally:
        if holder: holder.kill(); holder.wait()
        if p.poll() is None: os.killpg(p.pid, signal.SIGKILL); p.wait()
    assert p.returncode == 2, err[-2000:]
    last = err.strip().splitlines()[-1]
    assert 'in use by process' in last and 'not recorded' in last and 'Traceback' not in err
    assert state(store) == dict(watermark=0, runs=[], trained=[])
    fresh = eligible_ids(store, above=max(want))
    assert fresh, 'curation added no trainable samples'
    r = train(store, runs)
    assert r.returncode == 0, r.stderr[-2000:]
    assert state(store)['trained'] == want + fresh

def test_locked_store_is_one_line(store, tmp_path):
    holder = hold_store(store)
    try: r = train(store, tmp_path/'runs')
    finally: holder.kill(); holder.wait()
    assert r.returncode == 2
    assert r.stderr.strip().count('\n') == 0 and 'in use by process' in r.stderr, r.stderr
