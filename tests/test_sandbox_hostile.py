"""Hostile completions against the pass@k sandbox.

Each attack of the threat model is one completion. All of them run in one `evaluate_completions` call together with the
canonical solutions of a few HumanEval problems: every attack must be contained (checked from the outside: files, the
loopback server, leftover processes, this process still alive) and scored as a failure, and the canonical solutions must
still pass. Payloads are bounded so that they stay harmless even if containment failed: fork bombs stop at a few dozen
processes, memory hogs at 1.5 GiB, network attempts go to a loopback server of this test only.
"""
import json, os, secrets, signal, socket, textwrap, threading, time
from pathlib import Path
import pytest
from codelupe.evaluation.passk import SandboxSettings, evaluate_completions, read_problems, run_sample, sandbox_capabilities

ROOT = Path(__file__).resolve().parent.parent
PROBLEMS = read_problems()
ISOLATED = sandbox_capabilities()['mode'] == 'isolated'
HONEST = ['HumanEval/0', 'HumanEval/2', 'HumanEval/32', 'HumanEval/33', 'HumanEval/38', 'HumanEval/53', 'HumanEval/162']
SETTINGS = dict(timeout=4.0, memory_bytes=768 << 20, max_processes=8)
TARGET = 'HumanEval/0'   # has_close_elements(numbers, threshold) -> bool

def body(code:str) -> str:
    "A completion for HumanEval/0 that runs `code` when the module is executed and then returns a wrong answer."
    return '    return None\n' + textwrap.dedent(code)

def attacks(env:dict) -> dict:
    "The hostile completions, by name; `env` holds the canary paths, the loopback port and this process's pid."
    canary, port, harness = env['canary'], env['port'], env['harness_pid']
    return {
    # --- damage and espionage ---
    'write-outside': body(f'''
        import os, shutil
        done = []
        for action in (lambda: open({str(canary/'new.txt')!r}, 'w').write('pwned'),
                       lambda: open({str(canary/'keep.txt')!r}, 'w').write('pwned'),
                       lambda: os.remove({str(canary/'keep.txt')!r}),
                       lambda: os.rename({str(canary/'keep.txt')!r}, {str(canary/'moved.txt')!r}),
                       lambda: shutil.rmtree({str(canary)!r}),
                       lambda: os.mkdir({str(canary/'dir')!r}),
                       lambda: open({env['host_tmp_file']!r}, 'w').write('pwned')):
            try: action(); done.append('ok')
            except Exception as e: done.append(type(e).__name__)
        raise RuntimeError('write attempts: ' + ','.join(done))
        '''),
    'read-credentials': body(f'''
        import os
        found = {{}}
        for path in ({str(env['secret_file'])!r}, '/etc/shadow', os.path.expanduser('~/.ssh/id_rsa'), '/root/.bash_history',
                     '/proc/1/environ', '/proc/self/environ'):
            try: found[path] = open(path).read(200)
            except Exception as e: pass
        found['env'] = os.environ.get('CODELUPE_CANARY_SECRET')
        raise RuntimeError('found: ' + repr(found))
        '''),
    'network': body(f'''
        import socket
        results = []
        for target in (('127.0.0.1', {port}), ('localhost', {port})):
            try:
                s = socket.create_connection(target, timeout=1); s.sendall(b'exfiltrated'); s.close(); results.append('sent')
            except Exception as e: results.append(type(e).__name__)
        try:
            u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.sendto(b'exfiltrated', ('127.0.0.1', {port})); results.append('udp sent')
        except Exception as e: results.append(type(e).__name__)
        raise RuntimeError('network: ' + ','.join(results))
        '''),
    'fork-bomb': body('''
        import os, time
        forked = refused = 0
        for _ in range(40):   # bounded: 40 sleeping children at most, even if nothing contained it
            try:
                if os.fork() == 0: time.sleep(3); os._exit(0)
                forked += 1
            except Exception: refused += 1
        raise RuntimeError(f'forked {forked} refused {refused}')
        '''),
    'kill-harness': body(f'''
        import os, signal
        tried = []
        for action in (lambda: os.kill({harness}, signal.SIGKILL), lambda: os.killpg(os.getpgid({harness}), signal.SIGKILL),
                       lambda: os.kill(os.getppid(), signal.SIGKILL)):
            try: action(); tried.append('sent')
            except Exception as e: tried.append(type(e).__name__)
        if os.getuid() != 0: os.kill(-1, signal.SIGKILL)   # every process this uid may signal (never as root)
        raise RuntimeError('kill: ' + ','.join(tried))
        '''),
    'exhaust-memory': body('''
        hog = []
        for _ in range(24): hog.append(bytearray(64 << 20))   # 1.5 GiB at most
        raise RuntimeError(f'allocated {len(hog) * 64} MiB')
        '''),
    'fill-disk': body('''
        written = 0
        for i in range(12):
            with open(f'big{i}', 'wb') as f:
                for _ in range(8): f.write(b'x' * (1 << 20)); written += 1
        raise RuntimeError(f'wrote {written} MiB')
        '''),
    'runaway-loop': '    while True: pass\n',
    # --- fake passes ---
    'always-equal': '''    class Yes:
        def __eq__(self, other): return True
        def __ne__(self, other): return False
        def __bool__(self): return True
    return Yes()
''',
    'equal-subclass': '''    class Yes(bool.__base__):
        def __eq__(self, other): return True
        __hash__ = int.__hash__
    return Yes(0)
''',
    'patch-assert': '''    return None
import builtins
class NeverRaised(BaseException): pass
builtins.AssertionError = NeverRaised
builtins.abs = lambda x: 0
builtins.len = lambda x: 0
''',
    'patch-module': '''    return 0.0
import math
math.fabs = lambda x: 0.0
math.isclose = lambda *a, **k: True
''',
    'sys-exit-before-tests': body('''
        import sys
        sys.exit(0)
        '''),
    'os-exit-before-tests': body('''
        import os
        os._exit(0)
        '''),
    'print-marker': body('''
        import sys
        for marker in ('passed', 'PASSED', 'ok', 'ready', 'True'):
            print(marker); print(marker, file=sys.stderr)
        '''),
    'forge-verdict-fds': body('''
        import os
        for fd in range(3, 256):
            for record in (b'passed\\n', b'ready\\npassed\\n', b'0' * 32 + b' passed\\n'):
                try: os.write(fd, record)
                except OSError: pass
        '''),
    'steal-nonce-frames': body('''
        import os, sys
        frame = sys._getframe()
        while frame is not None:
            names = frame.f_locals
            if 'tag' in names and 'fd' in names:
                os.write(names['fd'], names['tag'] + b'passed\\n'); os._exit(0)
            if 'tag' in names and 'verdict_fd' in names:
                os.write(names['verdict_fd'], names['tag'] + b'passed\\n'); os._exit(0)
            frame = frame.f_back
        '''),
    'steal-nonce-traceback': body('''
        import os
        try: raise ValueError
        except ValueError as e: frame = e.__traceback__.tb_frame
        while frame is not None:
            names = frame.f_locals
            if 'tag' in names and 'fd' in names: os.write(names['fd'], names['tag'] + b'passed\\n'); os._exit(0)
            frame = frame.f_back
        '''),
    'steal-nonce-gc': body('''
        import gc, os
        for obj in gc.get_objects():
            if type(obj) is dict and 'nonce' in obj: os.write(obj['verdict_fd'], obj['nonce'].encode() + b' passed\\n'); os._exit(0)
        '''),
    'ctypes': body('''
        import ctypes
        ctypes.string_at(id(0), 64)
        '''),
    'trace-hook': body('''
        import sys
        sys.settrace(lambda frame, event, arg: None)
        '''),
    'swap-code': body('''
        import __main__
        for name in dir(__main__):
            fn = getattr(__main__, name)
            if callable(fn) and hasattr(fn, '__code__'): fn.__code__ = (lambda *a, **k: None).__code__
        '''),
    'thread-after-tests': body('''
        import os, threading, time
        def forge():
            time.sleep(0.05)
            for fd in range(3, 64):
                try: os.write(fd, b'passed\\n')
                except OSError: pass
        threading.Thread(target=forge, daemon=True).start()
        '''),
    }

OS_LEVEL = ['write-outside', 'read-credentials', 'network', 'fork-bomb', 'kill-harness', 'exhaust-memory', 'fill-disk']

class LoopbackServer:
    "A TCP and UDP listener on 127.0.0.1 that records whatever reaches it."
    def __init__(self):
        self.tcp = socket.socket(); self.tcp.bind(('127.0.0.1', 0)); self.tcp.listen(8); self.tcp.settimeout(0.2)
        self.port = self.tcp.getsockname()[1]
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); self.udp.bind(('127.0.0.1', self.port)); self.udp.settimeout(0.2)
        self.received, self.stop = [], threading.Event()
        self.threads = [threading.Thread(target=self._tcp, daemon=True), threading.Thread(target=self._udp, daemon=True)]
        for t in self.threads: t.start()
    def _tcp(self):
        while not self.stop.is_set():
            try: conn, _ = self.tcp.accept()
            except OSError: continue
            self.received.append(('tcp', conn.recv(100))); conn.close()
    def _udp(self):
        while not self.stop.is_set():
            try: self.received.append(('udp', self.udp.recv(100)))
            except OSError: continue
    def close(self):
        self.stop.set()
        for t in self.threads: t.join(2)
        self.tcp.close(); self.udp.close()

def sandbox_processes(workers:int, wait:float=3.0) -> list:
    "Processes still running under any of the sandbox's uids after up to `wait` seconds."
    uids = set(range(SandboxSettings.uid_base, SandboxSettings.uid_base + workers))
    end = time.monotonic() + wait
    while True:
        left = []
        for pid in os.listdir('/proc'):
            try:
                if pid.isdigit() and os.stat(f'/proc/{pid}').st_uid in uids: left.append(int(pid))
            except OSError: pass
        if not left or time.monotonic() > end: return left
        time.sleep(0.1)

@pytest.fixture(scope='module')
def environment():
    "Canary files (world-writable, so only the sandbox protects them), a secret in the home, a loopback server."
    canary = ROOT/f'.sandbox-canary-{secrets.token_hex(4)}'
    canary.mkdir(); canary.chmod(0o777)
    (canary/'keep.txt').write_text('keep'); (canary/'keep.txt').chmod(0o666)
    secret = secrets.token_hex(16)
    secret_file = Path.home()/f'.codelupe-canary-{secrets.token_hex(4)}'
    secret_file.write_text(secret); secret_file.chmod(0o644)
    os.environ['CODELUPE_CANARY_SECRET'] = secret
    server = LoopbackServer()
    env = dict(canary=canary, secret=secret, secret_file=secret_file, port=server.port, harness_pid=os.getpid(),
               host_tmp_file=f'/tmp/codelupe-canary-{secrets.token_hex(4)}', server=server)
    yield env
    server.close()
    os.environ.pop('CODELUPE_CANARY_SECRET', None)
    secret_file.unlink(missing_ok=True)
    Path(env['host_tmp_file']).unlink(missing_ok=True)
    for p in sorted(canary.rglob('*'), reverse=True): p.rmdir() if p.is_dir() else p.unlink()
    canary.rmdir()

def run_mixed(tmp_path, env, audit:bool, names:list) -> tuple:
    "Run the honest and the named hostile samples in one evaluation; return ({name: record}, summary)."
    hostile = attacks(env)
    lines = [{'task_id': t, 'completion': PROBLEMS[t]['canonical_solution'], 'name': f'honest:{t}'} for t in HONEST]
    lines += [{'task_id': 'HumanEval/32' if n == 'patch-module' else TARGET, 'completion': hostile[n], 'name': n} for n in names]
    path = tmp_path/f'mixed-audit-{audit}.jsonl'
    path.write_text(''.join(json.dumps(l) + '\n' for l in lines))
    summary = evaluate_completions(PROBLEMS, path, k=[1], workers=2, settings=SandboxSettings(audit=audit, **SETTINGS))
    records = [json.loads(l) for l in Path(summary['results_path']).read_text().splitlines()]
    return {r['name']: r for r in records}, summary

@pytest.fixture(scope='module')
def full_run(environment, tmp_path_factory):
    "All attacks and the honest samples, with the full sandbox (OS layer and audit hook)."
    before = sorted(p.name for p in environment['canary'].iterdir())
    records, summary = run_mixed(tmp_path_factory.mktemp('full'), environment, True, list(attacks(environment)))
    return records, summary, before

@pytest.fixture(scope='module')
def os_only_run(environment, tmp_path_factory):
    "The damage attacks again with the audit hook off: the operating-system layer alone must contain them."
    if not ISOLATED: pytest.skip('namespaces unavailable: without the audit hook nothing isolates the sample')
    records, summary = run_mixed(tmp_path_factory.mktemp('os'), environment, False, OS_LEVEL + ['steal-nonce-frames'])
    return records, summary

def check_contained(env, records):
    "Nothing reached the world outside the samples."
    canary = env['canary']
    assert sorted(p.name for p in canary.iterdir()) == ['keep.txt']
    assert (canary/'keep.txt').read_text() == 'keep'
    assert not Path(env['host_tmp_file']).exists()
    assert env['server'].received == []
    assert env['secret'] not in json.dumps(records)
    assert sandbox_processes(2) == []
    assert os.getpid() == env['harness_pid']   # still alive: we are running

@pytest.mark.parametrize('name', HONEST)
def test_honest_samples_still_pass(full_run, name):
    records, summary, _ = full_run
    assert records[f'honest:{name}']['passed'] is True, records[f'honest:{name}']['result']

@pytest.mark.parametrize('name', list(attacks(dict(canary=Path('/x'), port=1, harness_pid=1, host_tmp_file='/x', secret_file='/x'))))
def test_attack_is_a_failure(full_run, environment, name):
    records, summary, _ = full_run
    record = records[name]
    assert record['passed'] is False, f"{name} faked a pass: {record['result']}"
    check_contained(environment, records)

def test_summary_counts(full_run):
    records, summary, _ = full_run
    assert (summary['passed'], summary['samples']) == (len(HONEST), len(records))

def test_attacks_fail_for_the_right_reason(full_run):
    "The audit hook or the limits stopped each attack; the messages say which."
    records, _, _ = full_run
    result = lambda n: records[n]['result']
    # Writes to the host's files are refused by the audit hook; where the checkout lies under /tmp (the sandbox mounts
    # its own tmpfs there) the paths do not even exist inside. Either way nothing on the host changes (check_contained).
    writes = result('write-outside').split('write attempts: ')[1].split(',')[:-1]
    assert writes and all(w in ('SandboxViolation', 'FileNotFoundError') for w in writes), writes
    assert "found: {'env': None}" in result('read-credentials')
    assert result('network') == 'failed: RuntimeError: network: SandboxViolation,SandboxViolation,SandboxViolation'
    assert 'forked 0 refused 40' in result('fork-bomb')
    assert 'refuses os.kill' in result('kill-harness')
    assert 'MemoryError' in result('exhaust-memory')
    assert result('runaway-loop') == 'timed out'
    assert 'not a plain built-in value' in result('always-equal')
    assert result('equal-subclass') == 'failed: AssertionError'
    assert result('patch-assert') == 'failed: AssertionError'
    assert result('patch-module') == 'failed: AssertionError'
    assert result('sys-exit-before-tests') == 'failed: SystemExit: 0'
    assert 'without a verdict' in result('os-exit-before-tests')
    assert result('print-marker') == 'failed: AssertionError'
    assert result('forge-verdict-fds') == 'failed: AssertionError'
    assert 'refuses sys._getframe' in result('steal-nonce-frames')
    assert 'refuses access to tb_frame' in result('steal-nonce-traceback')
    assert 'refuses gc.get_objects' in result('steal-nonce-gc')
    assert 'ctypes' in result('ctypes')
    assert 'refuses sys.settrace' in result('trace-hook')
    assert 'refuses to replace __code__' in result('swap-code')
    assert result('thread-after-tests') == 'failed: AssertionError'

def test_write_attempts_all_refused(full_run, environment):
    records, _, _ = full_run
    attempts = records['write-outside']['result'].split('write attempts: ')[1].split(',')
    assert 'ok' not in attempts[:-1]   # the last one writes /tmp: inside the sandbox that is its own tmpfs
    check_contained(environment, records)

@pytest.mark.parametrize('name', OS_LEVEL)
def test_os_layer_alone_contains(os_only_run, environment, name):
    records, summary = os_only_run
    assert records[name]['passed'] is False, records[name]['result']
    check_contained(environment, records)
    assert all(records[f'honest:{t}']['passed'] for t in HONEST)

def test_os_layer_reasons(os_only_run):
    records, _ = os_only_run
    result = lambda n: records[n]['result']
    assert "'env': None" in result('read-credentials') and '/etc/shadow' not in result('read-credentials')
    assert 'sent' not in result('network')
    forked, refused = (int(x) for x in result('fork-bomb').split('forked ')[1].split(' refused '))
    assert forked < SETTINGS['max_processes'] and refused > 0, result('fork-bomb')
    assert 'MemoryError' in result('exhaust-memory')
    assert 'File too large' in result('fill-disk') or 'No space left' in result('fill-disk')

def test_nonce_theft_is_real_without_the_hook(os_only_run):
    "Proof that the frame-walking payload is potent: with the audit hook off it forges a pass, with it on it fails."
    records, _ = os_only_run
    assert records['steal-nonce-frames']['passed'] is True

def test_limits_only_mode_still_judges_honestly(tmp_path):
    "Without namespaces the fake passes still fail and honest samples still pass."
    settings = SandboxSettings(isolate=False, **SETTINGS)
    problem = PROBLEMS[TARGET]
    assert run_sample(problem, problem['canonical_solution'], settings).passed
    hostile = attacks(dict(canary=Path('/nonexistent'), port=1, harness_pid=os.getpid(), host_tmp_file='/nonexistent', secret_file='/nonexistent'))
    for name in ('always-equal', 'patch-assert', 'os-exit-before-tests', 'forge-verdict-fds', 'steal-nonce-frames', 'network'):
        assert not run_sample(problem, hostile[name], settings).passed, name
