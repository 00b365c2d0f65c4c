"The job queue end to end in real processes: `queue work --workers 2`, a refused second writer, adds through the inbox, a worker killed mid-job."
import argparse, json, os, re, shutil, signal, subprocess, sys, time
from pathlib import Path
import duckdb, pytest
from conftest import CODELUPE, DEMO, codelupe

def _cli_has_queue() -> bool:
    "Has the lead wired `codelupe queue` into the `codelupe` command yet?"
    from codelupe.cli import make_parser
    return any(isinstance(a, argparse._SubParsersAction) and 'queue' in a.choices for a in make_parser()._actions)

# `codelupe queue ...` once wired; until then the same parser run from `codelupe.queue.main`.
QUEUE = CODELUPE if _cli_has_queue() else [sys.executable, '-c', 'import sys; from codelupe.queue import main; sys.exit(main())']

def queue(*args, timeout=300):
    "Run `codelupe queue ARGS...` in a subprocess."
    return subprocess.run([*QUEUE, 'queue', *map(str, args)], capture_output=True, text=True, timeout=timeout)

def git_repo(path:Path) -> str:
    "A small committed git repository at `path`; returns its file:// URL."
    path.mkdir()
    (path/'LICENSE').write_text('MIT License\n')
    (path/'app.py').write_text('def main():\n    """Entry point."""\n    return 0\n')
    git = ['git', '-c', 'user.name=t', '-c', 'user.email=t@example.com', '-C', str(path)]
    subprocess.run(['git', 'init', '-q', str(path)], check=True)
    subprocess.run(git + ['add', '.'], check=True)
    subprocess.run(git + ['commit', '-qm', 'init'], check=True)
    return f'file://{path}'

def jobs(db) -> dict:
    "id -> (source, status, attempts, last_error), read-only."
    con = duckdb.connect(str(db), read_only=True)
    try: return {r[0]: r[1:] for r in con.execute('SELECT id, source, status, attempts, last_error FROM jobs ORDER BY id').fetchall()}
    finally: con.close()

def finals(stdout:str) -> list:
    "(job id, outcome) of every line saying a job ended: done or dead."
    return [(int(m[1]), m[2]) for m in re.finditer(r'^job (\d+) (done|dead)\b', stdout, re.M)]

def test_work_runs_every_job_once_and_dead_letters_the_bad_ones(tmp_path):
    db = tmp_path/'q.duckdb'
    repos = sorted(str(p) for p in DEMO.iterdir())
    url = git_repo(tmp_path/'repo')
    missing, unreachable = tmp_path/'missing', 'http://127.0.0.1:9/nothing.git'  # permanent, transient (connection refused)
    assert queue('add', *repos[1:], url, missing, unreachable, '--db', db).returncode == 0
    r = queue('add', repos[0], '--priority', 'high', '--db', db, '--json')
    assert r.returncode == 0 and json.loads(r.stdout)['ids'] == [len(repos) + 3]
    t = time.perf_counter()
    r = queue('work', '--workers', '2', '--until-empty', '--db', db)
    took = time.perf_counter() - t
    assert r.returncode == 2, r.stdout + r.stderr   # 2: some jobs became dead letters
    assert 'Traceback' not in r.stdout + r.stderr
    state = jobs(db)
    by_source = {s: (i, st, a) for i, (s, st, a, e) in state.items()}
    ended = finals(r.stdout)
    assert sorted(i for i, _ in ended) == sorted(state), f'every job ends exactly once:\n{r.stdout}'
    assert ended[0][0] == by_source[repos[0]][0], 'the high-priority job goes first'
    assert {s: st for s, (i, st, a) in by_source.items()} == {**{s: 'done' for s in repos + [url]},
                                                             str(missing): 'dead', unreachable: 'dead'}
    assert by_source[str(missing)][2] == 1       # a missing path is not retried
    assert by_source[unreachable][2] == 3        # a refused connection is, with backoff, up to --max-attempts
    assert len(re.findall(r'^job \d+ failed \(attempt [12] of 3\), retry in', r.stdout, re.M)) == 2
    assert all(a == 1 for s, (i, st, a) in by_source.items() if st == 'done')
    con = duckdb.connect(str(db), read_only=True)
    dead = dict(con.execute('SELECT source, attempts FROM dead_letter').fetchall())
    assert dead == {str(missing): 1, unreachable: 3}
    assert con.execute("SELECT bool_and(traceback LIKE 'Traceback%' AND first_failed_at <= last_failed_at) FROM dead_letter").fetchone()[0]
    stored = sorted(s for (s,) in con.execute('SELECT source FROM repos').fetchall())
    assert stored == sorted(repos + [url]), 'each good source stored exactly once'
    con.close()
    print(f'queue work over {len(state)} jobs: {took:.1f}s')

    status = json.loads(queue('status', '--db', db, '--json').stdout)
    depth = {row['priority']: row for row in status['depth']}
    assert (depth['high']['done'], depth['normal']['done'], depth['normal']['dead']) == (1, len(repos), 2)
    assert {'quality', 'secrets'} <= {row['layer'] for row in status['latency']}
    r = queue('dead', '--db', db)
    assert r.returncode == 0 and 'no such file or directory' in r.stdout and "Couldn't connect" in r.stdout
    r = queue('retry', '--all', '--db', db)
    assert r.returncode == 0 and r.stdout.startswith('requeued 2 jobs')
    assert {st for s, st, a, e in jobs(db).values() if s in (str(missing), unreachable)} == {'queued'}

def test_a_second_writer_is_refused_and_adds_go_through_the_inbox(tmp_path):
    db = tmp_path/'busy.duckdb'
    assert queue('add', DEMO/'quickcache', '--db', db).returncode == 0
    worker = subprocess.Popen([*QUEUE, 'queue', 'work', '--workers', '1', '--layers', 'quality', '--db', str(db)],  # no --until-empty: it stays
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = worker.stdout.readline()
        assert first.startswith('worker ') and ' owns ' in first, first + worker.stderr.read()
        r = queue('work', '--until-empty', '--db', db)  # a second worker: one line naming the first
        lines = r.stderr.strip().splitlines()
        assert r.returncode == 2 and len(lines) == 1, r.stderr
        assert f'in use by process {worker.pid}' in lines[0] and str(db) in lines[0], lines[0]
        r = codelupe('curate', DEMO/'wordstat', '--db', db, '--quiet')  # any writer, not only the queue's
        assert r.returncode == 2 and f'process {worker.pid}' in r.stderr
        r = queue('add', DEMO/'wordstat', '--priority', 'high', '--db', db)  # adding is not refused: it waits in the inbox
        assert r.returncode == 0 and 'inbox' in r.stdout and r.stderr == '', r.stdout + r.stderr
        r = codelupe('curate', DEMO/'tinyroute-js', '--queue', '--db', db)   # `curate --queue` too
        assert r.returncode == 0 and 'inbox' in r.stdout, r.stdout + r.stderr
        deadline = time.time() + 180
        while time.time() < deadline:  # `queue status` shows the worker's snapshot meanwhile
            r = queue('status', '--db', db, '--json')
            assert r.returncode == 0, r.stderr
            data = json.loads(r.stdout)
            done = sum(row['done'] for row in data['depth'])  # a row per priority
            if done == 3: break
            time.sleep(0.5)
        assert data['snapshot']['worker'].endswith(f':{worker.pid}') and done == 3, data
        assert data['inbox'] == {'requests': 0}
    finally:
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=60)
    assert worker.returncode == 130 and 'Traceback' not in err, err
    assert 'inbox: queued 1 job (high)' in out, out
    assert sorted((Path(s).name, st) for s, st, a, e in jobs(db).values()) == [('quickcache', 'done'), ('tinyroute-js', 'done'), ('wordstat', 'done')]
    assert not Path(f'{db}.queue-status.json').exists()
    r = queue('status', '--db', db)
    assert r.returncode == 0 and 'depth' in r.stdout

def store_content(db):
    "The store's content without ids, timestamps and run ids."
    con = duckdb.connect(str(db), read_only=True)
    q = lambda sql: sorted(con.execute(sql).fetchall())
    snap = dict(repos=q('SELECT source, fingerprint, files, accepted, rejected FROM repos'),
                samples=q('SELECT r.source, s.path, s.sha256, md5(s.content) FROM samples s JOIN repos r ON s.repo_id = r.id'),
                rejections=q('SELECT r.source, x.path, x.sha256, x.layer, x.reason FROM rejections x JOIN repos r ON x.repo_id = r.id'))
    con.close()
    return snap

@pytest.fixture
def corpus(tmp_path):
    "A folder of six repos, copies of standard-library packages (about 1 MB): long enough to kill a job mid-way."
    folder, lib = tmp_path/'corpus', Path(os.__file__).parent
    for name in ['concurrent', 'email', 'http', 'json', 'logging', 'urllib']:
        shutil.copytree(lib/name, folder/name, ignore=shutil.ignore_patterns('__pycache__', 'test*'))
    return folder

def test_a_worker_killed_mid_job_loses_nothing_and_stores_nothing_twice(tmp_path, corpus):
    url = git_repo(tmp_path/'repo')
    ref = tmp_path/'reference.duckdb'
    r = codelupe('curate', corpus, url, '--db', ref, '--quiet', '--workers', '2', '--layers', 'quality')  # fewer layers: faster, same recovery
    assert r.returncode == 0, r.stderr
    expected = store_content(ref)
    db = tmp_path/'q.duckdb'
    assert queue('add', corpus, url, '--db', db).returncode == 0
    worker = subprocess.Popen([*QUEUE, 'queue', 'work', '--workers', '2', '--until-empty', '--layers', 'quality', '--db', str(db)],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    wal, deadline = Path(f'{db}.wal'), time.time() + 180
    while worker.poll() is None and time.time() < deadline and not (wal.exists() and wal.stat().st_size > 2_000): time.sleep(0.01)
    if worker.poll() is not None: pytest.skip('the worker finished before it could be killed')
    os.killpg(worker.pid, signal.SIGKILL)  # the worker and its scanning processes, mid-job
    worker.wait()
    before = jobs(db)
    assert [st for s, st, a, e in before.values()] == ['running', 'running'] and {a for s, st, a, e in before.values()} == {1}
    partial = store_content(db)
    assert 0 < len(partial['repos']), 'the kill landed after a first repo was written, so the rerun has something to skip'

    r = queue('work', '--workers', '2', '--until-empty', '--layers', 'quality', '--db', db)
    assert r.returncode == 0, r.stdout + r.stderr
    assert len(re.findall(rf'^job \d back in the queue: worker \S+:{worker.pid} stopped during attempt 1$', r.stdout, re.M)) == 2, r.stdout
    after = jobs(db)
    assert [(st, a) for s, st, a, e in after.values()] == [('done', 2), ('done', 2)]  # the killed attempt counted
    assert sorted(i for i, _ in finals(r.stdout)) == [1, 2]
    assert store_content(db) == expected  # nothing lost, nothing stored twice

@pytest.mark.skipif('--queue' not in codelupe('curate', '--help').stdout, reason='`curate --queue` is not wired yet')
def test_curate_with_queue_enqueues_instead_of_running(tmp_path):
    db = tmp_path/'c.duckdb'
    r = codelupe('curate', DEMO/'quickcache', DEMO/'wordstat', '--queue', '--db', db)
    assert r.returncode == 0, r.stderr
    assert [(st, a) for s, st, a, e in jobs(db).values()] == [('queued', 0), ('queued', 0)]
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute('SELECT count(*) FROM repos').fetchone()[0] == 0
    con.close()
