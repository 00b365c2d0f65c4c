"A layer that raises on one file, inside the worker processes of a real run: the file is rejected, the run goes on."
import os, shutil
import duckdb
from conftest import codelupe, DEMO

# Loaded at start-up by every interpreter of the run (the command, the forkserver, its workers): the secrets layer
# raises on any file named `boom.py`, as a scanner bug would.
BREAK_SECRETS = '''
import codelupe.scanners.secrets as s
_scan = s.SecretsScanner.scan
def scan(self, file):
    if file.path.endswith('boom.py'): raise RecursionError('maximum recursion depth exceeded')
    return _scan(self, file)
s.SecretsScanner.scan = scan
'''

def test_a_failing_layer_rejects_the_file_and_the_run_goes_on(tmp_path):
    hooks = tmp_path/'hooks'; hooks.mkdir()
    (hooks/'sitecustomize.py').write_text(BREAK_SECRETS)
    repo = tmp_path/'repo'; shutil.copytree(DEMO/'quickcache', repo)
    (repo/'boom.py').write_text('API_TOKEN = "tok-not-real-0123456789"\n\ndef value():\n    return API_TOKEN\n')
    db = tmp_path/'s.duckdb'
    env = {**os.environ, 'PYTHONPATH': os.pathsep.join([str(hooks), os.environ.get('PYTHONPATH', '')])}
    r = codelupe('curate', repo, DEMO/'wordstat', '--db', db, '--workers', '2', '--quiet', env=env)
    assert r.returncode == 0, r.stderr
    assert 'secrets layer failed on boom.py (RecursionError at ' in r.stderr and 'Traceback' not in r.stderr
    assert 'tok-not-real' not in r.stdout + r.stderr
    con = duckdb.connect(str(db), read_only=True)
    [(layer, reason, details)] = con.execute("select layer, reason, details from rejections where path = 'boom.py'").fetchall()
    assert (layer, reason) == ('secrets', 'scanner-error') and 'RecursionError' in details and 'tok-not-real' not in details
    assert con.execute("select count(*) from samples where path = 'boom.py'").fetchone()[0] == 0
    assert con.execute('select count(*) from repos').fetchone()[0] == 2           # both sources written
    assert con.execute('select count(*) from samples').fetchone()[0] > 5
