"Hostile inputs for the secrets layer: each ends in findings or a clean pass within a bounded time, never a hang or a crash."
import json, signal, string, time
from contextlib import contextmanager
import pytest
from codelupe.core import SourceFile
from codelupe.scanners.secrets import (BASE64, HEX, URLSAFE, SecretsScanner, fake_secret, find_secrets, redact_secrets,
                                       scan_secrets, shannon_entropy)

MB = 1_000_000
LIMIT = 10.0  # seconds: generous for a busy 2-core machine; each case takes well under 1 s alone

@contextmanager
def bounded(seconds=LIMIT):
    "Fail (instead of hanging) if the block runs longer than `seconds`."
    def _alarm(*_): raise TimeoutError(f'took over {seconds} s')
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    start = time.perf_counter()
    try: yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0); signal.signal(signal.SIGALRM, old)
    assert time.perf_counter() - start < seconds

GHP = 'ghp_' + fake_secret(36)

CLEAN = {
    'a-line': 'a' * MB,
    'equals-line': '=' * MB,
    'keyword-storm': 'password=' * (MB // 9),
    'quoted-storm': 'token = "' * (MB // 9),
    'url-storm': 'a://a:' * (MB // 6),
    'at-colon-storm': 'postgres://u:' + ':@' * (MB // 2),
    'pem-headers': '-----BEGIN RSA PRIVATE KEY-----\n' * (MB // 32),
    'jwt-prefixes': ('eyJ' + 'a' * 2000 + '.') * 400,
    'prefix-storm': 'ghp_' * (MB // 4),
    'slack-storm': 'xoxp-1234567890-' * (MB // 16),
    'sk-storm': 'ASK TASK DISK ' * (MB // 14),
    'nul-bytes': '\x00' * MB,
    'many-short-lines': 'x\n' * (MB // 2),
    'empty': '',
}

@pytest.mark.parametrize('name', CLEAN)
def test_clean_pass_in_bounded_time(name):
    with bounded(): assert find_secrets(CLEAN[name]) == []

def test_secret_inside_huge_line():
    text = 'x' * MB + f' token = "{GHP}" ' + 'y' * MB
    with bounded(): (m,) = find_secrets(text)
    assert m.rule.id == 'github-pat' and m.line == 1 and text[m.start:m.end] == GHP

def test_private_key_headers_without_end():
    "Many key headers with a body but no END marker: each is a finding, found in linear time."
    block = '-----BEGIN RSA PRIVATE KEY-----\n' + fake_secret(64, BASE64) + '\n'
    text = block * (MB // len(block))
    with bounded(): found = find_secrets(text)
    assert len(found) == MB // len(block) and {m.rule.id for m in found} == {'private-key'}

def test_many_findings():
    lines = [f'k{i} = "ghp_{fake_secret(36, seed=str(i))}"' for i in range(20_000)]
    text = '\n'.join(lines)
    with bounded(): found = find_secrets(text)
    assert len(found) == 20_000 and [m.line for m in found[:3]] == [1, 2, 3]
    with bounded(): assert find_secrets(redact_secrets(text, found)) == []

def test_long_base64_blob_with_embedded_prefixes():
    blob = ''.join(fake_secret(64, BASE64, seed=str(i)) for i in range(MB // 64))
    text = 'data = "' + blob.replace('A', 'AKIA', 500) + '"'
    with bounded(): find_secrets(text)  # whatever it finds, it ends

def test_lone_surrogates():
    "Undecodable bytes read with surrogateescape: the secret is still found; output holds no surrogate."
    text = 'x = "\udcff\udcfe"\n' + f'token = "{GHP}"\n' + '\ud800' * 1000
    with bounded(): (f,) = scan_secrets(text)
    assert (f.rule, f.line, f.redacted) == ('github-pat', 2, 'ghp_***')
    assert scan_secrets('\udcff' * MB) == []
    weird = 'password = "\udcff' + fake_secret(12) + '"'
    for f in scan_secrets(weird): json.dumps(f.to_dict()).encode('utf-8')  # serialisable, no lone surrogate

def test_case_folding_that_changes_length():
    "'İ'.lower() has two characters; positions and lines must still be right."
    text = 'İ' * 1000 + '\n' + f'token = "{GHP}"\n'
    (m,) = find_secrets(text)
    assert text[m.start:m.end] == GHP and m.line == 2

def test_line_endings():
    text = f'a = 1\r\nb = 2\r\ntoken = "{GHP}"\r\n'
    (m,) = find_secrets(text)
    assert m.line == 3 and text[m.start:m.end] == GHP

def test_scanner_on_hostile_file():
    scanner = SecretsScanner()
    with bounded(): d = scanner(SourceFile('big.txt', 'password=' * (MB // 9) + f'\napi_key = "{fake_secret(32)}"\n'))
    assert d.accepted and d.content.endswith('api_key = "<SECRET>"\n')

def test_entropy_of_huge_value_is_cheap():
    with bounded(2.0): shannon_entropy(fake_secret(10_000, HEX) * 100)
