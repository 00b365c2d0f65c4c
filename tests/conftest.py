"Shared fixtures for the pytest suite: things notebooks cannot host (subprocesses, crashes, hostile inputs)."
import logging, os, shutil, subprocess, sys
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parent.parent
DEMO = ROOT/'data'/'demo'
# The `codelupe` console script, run with this interpreter.
CODELUPE = [sys.executable, '-c', 'import sys; from codelupe.cli import main; sys.exit(main())']

def codelupe(*args, cwd=None, env=None, timeout=300, **kw):
    "Run the `codelupe` command as a user would, in a subprocess."
    return subprocess.run([*CODELUPE, *map(str, args)], cwd=cwd, env=env, timeout=timeout,
                          capture_output=True, text=True, **kw)

@pytest.fixture
def stdlib_corpus(tmp_path):
    "A folder of repos: a dozen standard-library packages copied as separate repos, plus the demo corpus."
    corpus = tmp_path/'corpus'
    corpus.mkdir()
    lib = Path(os.__file__).parent
    for name in ['json', 'email', 'asyncio', 'unittest', 'xml', 'http', 'logging', 'concurrent', 'importlib', 'sqlite3',
                 'urllib', 'ctypes', 'tomllib', 'wsgiref', 'zoneinfo', 'multiprocessing']:
        shutil.copytree(lib/name, corpus/f'py-{name}', ignore=shutil.ignore_patterns('__pycache__', 'test*'))
    for repo in DEMO.iterdir(): shutil.copytree(repo, corpus/repo.name, symlinks=True)
    return corpus

LOOPBACK = '127.0.0.1'

@pytest.fixture(scope='module')
def moto_url():
    "moto's standalone AWS server on loopback (one per test module, so state never leaks between modules)."
    moto_server = pytest.importorskip('moto.server')
    logging.getLogger('werkzeug').setLevel(logging.ERROR)
    server = moto_server.ThreadedMotoServer(ip_address=LOOPBACK, port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    assert host == LOOPBACK
    yield f'http://{host}:{port}'
    server.stop()
