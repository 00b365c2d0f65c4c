"`kill -9` during `codelupe curate`, then the same command again: the store ends as after one uninterrupted run."
import os, signal, subprocess, time
import duckdb, pytest
from conftest import CODELUPE, codelupe

def snapshot(db):
    "The store's content, without ids, timestamps and run ids (which legitimately differ between runs)."
    con = duckdb.connect(str(db), read_only=True)
    q = lambda sql: sorted(con.execute(sql).fetchall())
    snap = dict(
        repos=q('SELECT source, fingerprint, files, accepted, rejected, license FROM repos'),
        samples=q('SELECT r.source, s.path, s.sha256, s.language, s.size, s.quality, s.license, s.redacted, md5(s.content) '
                  'FROM samples s JOIN repos r ON s.repo_id = r.id'),
        rejections=q('SELECT r.source, x.path, x.sha256, x.layer, x.reason FROM rejections x JOIN repos r ON x.repo_id = r.id'),
        findings=q('SELECT s.sha256, f.scanner, f.rule, f.line FROM findings f JOIN samples s ON f.sample_id = s.id'),
        sample_ids_unique=con.execute('SELECT count(DISTINCT id) = count(*) FROM samples').fetchone()[0])
    con.close()
    return snap

def first_commit_seen(db):
    "Has the run written its first repo? (the write-ahead log grows past the schema's own entries)"
    wal = db.with_name(db.name + '.wal')
    return wal.exists() and wal.stat().st_size > 200_000

def run_and_kill(corpus, db, after):
    "Start a curate run in its own process group and kill -9 the whole group after `after` seconds, or at its first commit."
    p = subprocess.Popen([*CODELUPE, 'curate', str(corpus), '--db', str(db), '--quiet', '--workers', '2'],
                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    if after is None:
        deadline = time.time() + 120
        while p.poll() is None and not first_commit_seen(db) and time.time() < deadline: time.sleep(0.01)
    else: time.sleep(after)
    finished = p.poll() is not None
    if not finished: os.killpg(p.pid, signal.SIGKILL)
    p.wait()
    return finished

def test_kill_9_then_rerun_equals_one_clean_run(tmp_path, stdlib_corpus):
    ref = tmp_path/'reference.duckdb'
    t = time.perf_counter()
    r = codelupe('curate', stdlib_corpus, '--db', ref, '--quiet', '--workers', '2')
    took = time.perf_counter() - t
    assert r.returncode == 0, r.stderr
    expected = snapshot(ref)
    assert expected['samples'] and expected['rejections'] and expected['sample_ids_unique']
    killed, partial = 0, []
    for i, fraction in enumerate([None, 0.5, 0.8]):
        db = tmp_path/f'crash{i}.duckdb'
        if not run_and_kill(stdlib_corpus, db, None if fraction is None else took * fraction):
            killed += 1
            if db.exists(): partial.append(len(snapshot(db)['repos']))
        r = codelupe('curate', stdlib_corpus, '--db', db, '--quiet', '--workers', '2')
        assert r.returncode == 0, r.stderr
        assert snapshot(db) == expected, f'store differs after a kill at {fraction or "the first commit"}'
        r = codelupe('curate', stdlib_corpus, '--db', db, '--quiet', '--workers', '2')  # a third run changes nothing
        assert snapshot(db) == expected
    assert any(0 < n < len(expected['repos']) for n in partial), f'no kill landed mid-run: repos stored {partial}'
    assert killed >= 2, 'the runs finished before they could be killed; the corpus is too small for this machine'
