"""Credential backends against real endpoints on loopback: moto's standalone server for AWS (boto3 over HTTP, no in-process
mocking) and a KV v2 stub server for Vault (hvac over HTTP); and checks that no secret value reaches a log record, an
exception, a repr/str/format, or the credentials notebook's outputs. Nothing here leaves 127.0.0.1."""
import base64, io, json, logging, os, socket, threading, traceback
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
import pytest

boto3 = pytest.importorskip('boto3')
pytest.importorskip('hvac')
moto_server = pytest.importorskip('moto.server')

from codelupe.core import CodelupeError
from codelupe.credentials import (AwsSecretsBackend, Backend, CredentialStore, EnvironmentBackend, SecretValue, StorageConfig,
                                  DatabaseConfig, TransientBackendError, VaultBackend)

ROOT = Path(__file__).resolve().parent.parent
from conftest import LOOPBACK
# Made-up values; every test checks that none of them shows up where it must not.
SECRET = 'pw-5b1e9c-not-a-real-secret'
KEY_SECRET = 'sk-77d0aa-not-a-real-secret'
TOKEN = 'vault-token-3f2a-not-real'
SECRETS = [SECRET, KEY_SECRET, TOKEN]

@pytest.fixture(autouse=True)
def isolated_env(monkeypatch):
    "No AWS/Vault/codelupe settings from the machine, fake AWS keys, no proxies, no instance-metadata lookups."
    for k in list(os.environ):
        if k.startswith(('AWS_', 'VAULT_', 'CODELUPE_', 'OTEL_')) or k.lower() in ('http_proxy', 'https_proxy', 'all_proxy'):
            monkeypatch.delenv(k)
    monkeypatch.setenv('AWS_ACCESS_KEY_ID', 'testing')
    monkeypatch.setenv('AWS_SECRET_ACCESS_KEY', 'testing')
    monkeypatch.setenv('AWS_EC2_METADATA_DISABLED', 'true')
    monkeypatch.setenv('AWS_CONFIG_FILE', '/nonexistent/aws-config')
    monkeypatch.setenv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent/aws-credentials')
    monkeypatch.setenv('NO_PROXY', '127.0.0.1,localhost')

# ---------------------------------------------------------------- AWS: moto's standalone server on loopback

@pytest.fixture
def aws(moto_url):
    "An admin client on the moto server, reset for each test."
    import requests
    requests.post(f'{moto_url}/moto-api/reset', timeout=10)
    return boto3.client('secretsmanager', region_name='us-east-1', endpoint_url=moto_url,
                        aws_access_key_id='testing', aws_secret_access_key='testing')

def aws_backend(url, **kw): return AwsSecretsBackend(region='us-east-1', endpoint_url=url, **kw)

def count_sends(backend):
    "Count the GetSecretValue requests the backend's client sends."
    sent = []
    backend.client.meta.events.register('before-send.secrets-manager.GetSecretValue', lambda **kw: sent.append(1))
    return sent

def test_aws_string_json_and_binary(aws, moto_url):
    aws.create_secret(Name='github-token', SecretString=SECRET)
    aws.create_secret(Name='db/main', SecretString=json.dumps({'username': 'curator', 'password': SECRET, 'engine': 'postgresql',
                                                               'host': 'db.internal', 'port': 5432, 'dbname': 'corpus'}))
    aws.create_secret(Name='blob', SecretBinary=KEY_SECRET.encode())
    creds = CredentialStore([aws_backend(moto_url)])
    assert creds.get('github-token').reveal() == SECRET
    assert creds.get('db/main', key='password').reveal() == SECRET
    assert creds.get_json('db/main')['username'].reveal() == 'curator'
    db = creds.database_config('db/main')
    assert (db.engine, db.host, db.port, db.database, db.user) == ('postgresql', 'db.internal', 5432, 'corpus', 'curator')
    assert db.password.reveal() == SECRET
    assert creds.get('blob').reveal() == KEY_SECRET

def test_aws_autodetected_from_environment(aws, moto_url, monkeypatch, caplog):
    aws.create_secret(Name='github-token', SecretString=SECRET)
    monkeypatch.setenv('AWS_REGION', 'us-east-1')
    monkeypatch.setenv('AWS_ENDPOINT_URL', moto_url)      # botocore's own setting: the backend is given no endpoint
    monkeypatch.setenv('CODELUPE_PYPI_TOKEN', KEY_SECRET)
    creds = CredentialStore()
    assert [b.name for b in creds.backends] == ['aws-secrets-manager', 'environment']
    assert creds.backends[0].endpoint_url is None
    assert creds.get('github-token').reveal() == SECRET
    with caplog.at_level(logging.WARNING, logger='codelupe.credentials'):
        assert creds.get('pypi-token').reveal() == KEY_SECRET   # not in AWS: falls through, with a warning
    assert "credential 'pypi-token' not found in aws-secrets-manager: using $CODELUPE_PYPI_TOKEN from the environment" in caplog.text

def test_aws_cache_honours_ttl(aws, moto_url):
    aws.create_secret(Name='github-token', SecretString=SECRET)
    backend, now = aws_backend(moto_url), [0.0]
    sent = count_sends(backend)
    creds = CredentialStore([backend], ttl=30, clock=lambda: now[0])
    for _ in range(3): creds.get('github-token')
    assert len(sent) == 1
    now[0] = 31
    creds.get('github-token')
    assert len(sent) == 2
    creds.clear_cache(); creds.get('github-token')
    assert len(sent) == 3
    nocache = CredentialStore([backend], ttl=0)
    nocache.get('github-token'); nocache.get('github-token')
    assert len(sent) == 5

def test_storage_config_reaches_s3(aws, moto_url):
    "The S3 settings read from Secrets Manager work: bucket created, object written and read back on the moto server."
    aws.create_secret(Name='s3/curated', SecretString=json.dumps({
        'bucket': 'curated', 'region': 'us-east-1', 'endpoint_url': moto_url, 'prefix': 'runs/',
        'access_key_id': 'testing', 'secret_access_key': KEY_SECRET}))
    cfg = CredentialStore([aws_backend(moto_url)]).storage_config('s3/curated')
    assert (cfg.bucket, cfg.region, cfg.endpoint_url, cfg.prefix) == ('curated', 'us-east-1', moto_url, 'runs/')
    assert KEY_SECRET not in repr(cfg)
    s3 = cfg.s3_client()
    s3.create_bucket(Bucket=cfg.bucket)
    s3.put_object(Bucket=cfg.bucket, Key=cfg.prefix + 'a.txt', Body=b'hello')
    assert s3.get_object(Bucket=cfg.bucket, Key='runs/a.txt')['Body'].read() == b'hello'

def closed_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0)); return s.getsockname()[1]

def test_aws_unreachable_is_retried_then_one_line(caplog):
    backend = aws_backend(f'http://{LOOPBACK}:{closed_port()}', timeout=2)
    sent = count_sends(backend)
    creds = CredentialStore([backend], attempts=3, backoff=0.001)
    with caplog.at_level(logging.INFO, logger='codelupe.credentials'), pytest.raises(CodelupeError) as e:
        creds.get('github-token')
    assert len(sent) == 3
    assert sum('transient failure' in r.getMessage() for r in caplog.records) == 2
    msg = str(e.value)
    assert msg.startswith("aws-secrets-manager: unreachable after 3 tries reading 'github-token': EndpointConnectionError")
    assert '\n' not in msg

class RaisingClient:
    "A secretsmanager client that raises a given botocore ClientError (for codes moto cannot produce)."
    def __init__(self, code, status): self.code, self.status, self.calls = code, status, 0
    def get_secret_value(self, SecretId):
        from botocore.exceptions import ClientError
        self.calls += 1
        raise ClientError({'Error': {'Code': self.code, 'Message': 'denied\nsecond line'},
                           'ResponseMetadata': {'HTTPStatusCode': self.status}}, 'GetSecretValue')

@pytest.mark.parametrize('code,status,retried', [('ThrottlingException', 400, True), ('InternalServiceError', 500, True),
                                                 ('AccessDeniedException', 400, False), ('DecryptionFailure', 400, False)])
def test_aws_error_classes(code, status, retried):
    client = RaisingClient(code, status)
    with pytest.raises(CodelupeError) as e:
        CredentialStore([AwsSecretsBackend(client=client)], attempts=3, backoff=0.001).get('x')
    assert client.calls == (3 if retried else 1)
    assert '\n' not in str(e.value) and code in str(e.value)

def test_missing_everywhere_is_one_line(aws, moto_url):
    creds = CredentialStore([aws_backend(moto_url), EnvironmentBackend()])
    with pytest.raises(CodelupeError) as e: creds.get('db/main')
    assert str(e.value) == ("db/main: no such credential (tried aws-secrets-manager, environment); set CODELUPE_DB_MAIN, "
                            "or store it as an AWS Secrets Manager secret named 'db/main'")
    with pytest.raises(CodelupeError) as e: CredentialStore().get('db/main')
    assert str(e.value).startswith('db/main: no such credential (tried environment); set CODELUPE_DB_MAIN (no secrets manager configured')

# ---------------------------------------------------------------- Vault: a KV v2 read endpoint on loopback
class VaultStub:
    """The KV v2 read endpoint as Vault's API documentation describes it: `GET /v1/<mount>/data/<path>` with the token in
    `X-Vault-Token`; 200 `{"data": {"data": ..., "metadata": ...}}`, 403 `{"errors": ["permission denied"]}`, 404
    `{"errors": []}`; and 503 for the next `unavailable` requests."""
    def __init__(self, token=TOKEN):
        self.token, self.secrets, self.requests, self.unavailable = token, {}, [], 0
        stub = self
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a): pass
            def reply(self, status, body):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header('Content-Type', 'application/json'); self.send_header('Content-Length', str(len(data)))
                self.end_headers(); self.wfile.write(data)
            def do_GET(self):
                path = self.path.split('?')[0]
                stub.requests.append((self.command, path, self.headers.get('X-Vault-Token')))
                if stub.unavailable: stub.unavailable -= 1; return self.reply(503, {'errors': ['Vault is sealed']})
                if self.headers.get('X-Vault-Token') != stub.token: return self.reply(403, {'errors': ['permission denied']})
                parts = path.split('/')
                if len(parts) < 5 or parts[1] != 'v1' or parts[3] != 'data': return self.reply(404, {'errors': []})
                mount, secret = parts[2], '/'.join(parts[4:])
                if (mount, secret) not in stub.secrets: return self.reply(404, {'errors': []})
                self.reply(200, {'request_id': 'd3a1c6e4-0000-0000-0000-000000000000', 'lease_id': '', 'renewable': False,
                                 'lease_duration': 0, 'wrap_info': None, 'warnings': None, 'auth': None,
                                 'data': {'data': stub.secrets[(mount, secret)],
                                          'metadata': {'created_time': '2026-01-01T00:00:00.000000Z', 'custom_metadata': None,
                                                       'deletion_time': '', 'destroyed': False, 'version': 1}}})
            do_POST = do_PUT = do_DELETE = lambda self: self.reply(405, {'errors': ['unsupported by the stub']})
        self.server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        self.url = f'http://{LOOPBACK}:{self.server.server_address[1]}'
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
    def close(self): self.server.shutdown(); self.server.server_close()

@pytest.fixture
def vault():
    stub = VaultStub()
    stub.secrets[('secret', 'db/main')] = {'username': 'curator', 'password': SECRET, 'host': 'db.internal', 'port': 5432}
    stub.secrets[('secret', 'github-token')] = {'value': SECRET}
    stub.secrets[('kv', 's3/curated')] = {'bucket': 'curated', 'access_key_id': 'id-0', 'secret_access_key': KEY_SECRET}
    yield stub
    stub.close()

def test_vault_reads_kv2(vault):
    creds = CredentialStore([VaultBackend(vault.url, TOKEN)])
    assert creds.get('github-token').reveal() == SECRET
    assert creds.get('db/main', 'password').reveal() == SECRET
    assert creds.database_config('db/main').port == 5432
    assert vault.requests == [('GET', '/v1/secret/data/github-token', TOKEN), ('GET', '/v1/secret/data/db/main', TOKEN)]
    kv = CredentialStore([VaultBackend(vault.url, TOKEN, mount='kv')])
    assert kv.storage_config('s3/curated').secret_access_key.reveal() == KEY_SECRET
    assert vault.requests[-1][1] == '/v1/kv/data/s3/curated'

def test_vault_bad_token_is_one_line_and_not_retried(vault):
    creds = CredentialStore([VaultBackend(vault.url, 'wrong-token-not-real')], backoff=0.001)
    with pytest.raises(CodelupeError) as e: creds.get('db/main')
    assert str(e.value) == (f'vault {vault.url}: permission denied reading secret/data/db/main '
                            '(check VAULT_TOKEN and its policy)')
    assert len(vault.requests) == 1
    assert 'wrong-token' not in ''.join(traceback.format_exception(e.value))

def test_vault_missing_falls_through_to_environment(vault, monkeypatch, caplog):
    monkeypatch.setenv('CODELUPE_PYPI_TOKEN', KEY_SECRET)
    creds = CredentialStore([VaultBackend(vault.url, TOKEN), EnvironmentBackend()])
    with caplog.at_level(logging.WARNING, logger='codelupe.credentials'):
        assert creds.get('pypi-token').reveal() == KEY_SECRET
    assert 'not found in vault: using $CODELUPE_PYPI_TOKEN' in caplog.text
    with pytest.raises(CodelupeError) as e: creds.get('nope')
    assert str(e.value) == ('nope: no such credential (tried vault, environment); set CODELUPE_NOPE, '
                            'or store it as a Vault KV v2 secret at secret/data/nope')

def test_vault_unavailable_is_retried(vault):
    vault.unavailable = 2
    assert CredentialStore([VaultBackend(vault.url, TOKEN)], backoff=0.001).get('github-token').reveal() == SECRET
    assert len(vault.requests) == 3
    vault.unavailable = 5
    with pytest.raises(CodelupeError, match=r"^vault: unreachable after 3 tries reading 'github-token': VaultDown$"):
        CredentialStore([VaultBackend(vault.url, TOKEN)], backoff=0.001).get('github-token')

def test_vault_autodetected_and_cached(vault, monkeypatch):
    monkeypatch.setenv('VAULT_ADDR', vault.url)
    monkeypatch.setenv('VAULT_TOKEN', TOKEN)
    creds = CredentialStore()
    assert [b.name for b in creds.backends] == ['vault', 'environment']
    for _ in range(3): assert creds.get('github-token').reveal() == SECRET
    assert len(vault.requests) == 1
    assert TOKEN not in repr(creds) + repr(creds.backends)

def test_vault_unreachable():
    creds = CredentialStore([VaultBackend(f'http://{LOOPBACK}:{closed_port()}', TOKEN, timeout=2)], attempts=2, backoff=0.001)
    with pytest.raises(CodelupeError, match=r"^vault: unreachable after 2 tries reading 'x': ConnectionError$"): creds.get('x')

# ---------------------------------------------------------------- no leaks: logs, exceptions, repr/str/format, notebook
class Everything(logging.Handler):
    "Keeps every record, formatted with its traceback, of every logger."
    def __init__(self): super().__init__(logging.DEBUG); self.lines = []
    def emit(self, record): self.lines.append(f'{record.name} {logging.Formatter().format(record)}')

def assert_clean(text, what):
    for s in SECRETS: assert s not in text, f'a secret value reached {what}'

def test_no_secret_in_any_log_record(aws, moto_url, vault, monkeypatch):
    aws.create_secret(Name='github-token', SecretString=SECRET)
    aws.create_secret(Name='s3/curated', SecretString=json.dumps({'bucket': 'b', 'secret_access_key': KEY_SECRET}))
    monkeypatch.setenv('CODELUPE_ONLY_HERE', SECRET)
    root, handler = logging.getLogger(), Everything()
    old = root.level
    root.addHandler(handler); root.setLevel(logging.DEBUG)
    try:
        creds = CredentialStore([aws_backend(moto_url), VaultBackend(vault.url, TOKEN), EnvironmentBackend()], backoff=0.001)
        creds.get('github-token'); creds.get_json('s3/curated'); creds.storage_config('s3/curated')
        creds.get('db/main', 'password'); creds.database_config('db/main'); creds.get('only-here')
        logging.getLogger('demo').info('config %s %r', creds.storage_config('s3/curated'), creds.get('github-token'))
        with pytest.raises(CodelupeError): creds.get('db/main')           # several keys
        with pytest.raises(CodelupeError): creds.get('missing')
        vault.unavailable = 1; creds.clear_cache(); creds.get('db/main', 'password')
    finally:
        root.removeHandler(handler); root.setLevel(old)
    # the moto server runs in this process: its own records are the server's, not the client's
    client_side = [l for l in handler.lines if not l.startswith(('moto', 'werkzeug'))]
    assert any(l.startswith('botocore') for l in client_side) and any(l.startswith('urllib3') for l in client_side)
    assert any('transient failure' in l for l in client_side)
    assert_clean('\n'.join(client_side), 'a log record')

def errors_of(creds):
    "The errors a user can provoke on stored secrets, each with its full traceback text."
    calls = [lambda: creds.get('kv'), lambda: creds.get('kv', 'nokey'), lambda: creds.get('multi', 'nokey'), lambda: creds.get_json('plain'),
             lambda: creds.get_json('list'), lambda: creds.database_config('plain'), lambda: creds.storage_config('multi'),
             lambda: creds.database_config('badurl'), lambda: creds.get('plain', 'k')]
    for call in calls:
        with pytest.raises(CodelupeError) as e: call()
        yield str(e.value), ''.join(traceback.format_exception(e.value))

def test_no_secret_in_exceptions():
    env = {'CODELUPE_MULTI': json.dumps({'a': SECRET, 'b': KEY_SECRET}), 'CODELUPE_PLAIN': SECRET,
           'CODELUPE_LIST': json.dumps([SECRET]), 'CODELUPE_BADURL': f'postgresql://u:{SECRET}@h:notaport/db'}
    class KV(Backend):
        def fetch(self, name): return {'a': SECRET, 'b': KEY_SECRET} if name == 'kv' else None
    messages = list(errors_of(CredentialStore([KV(), EnvironmentBackend(environ=env)])))
    assert len(messages) == 9
    for msg, tb in messages:
        assert '\n' not in msg
        assert_clean(msg + tb, 'an exception')

def test_no_secret_in_repr_str_format():
    v = SecretValue(SECRET, 'db/main')
    db = DatabaseConfig.from_url(f'postgresql://u:{SECRET}@h:5432/db', 'db')
    st = StorageConfig.from_dict({'bucket': 'b', 'secret_access_key': KEY_SECRET, 'other': SECRET}, 's3')
    shown = [str(v), repr(v), f'{v}', f'{v!r}', f'{v:>40}', '%s %r' % (v, v), '{} {!r}'.format(v, v), str([v]), repr({'p': v}),
             repr(db), str(db), f'{db}', repr(st), str(st), repr(db.url()), str(db.url()), repr(st.extra),
             repr(VaultBackend('http://127.0.0.1:1', TOKEN)), repr(EnvironmentBackend())]
    assert_clean('\n'.join(shown), 'a repr/str/format')
    with pytest.raises(TypeError): json.dumps(v)
    import pickle
    with pytest.raises(TypeError, match='cannot be pickled'): pickle.dumps(st)

def test_no_secret_in_notebook_outputs():
    "Run the credentials notebook as nbdev_test does and search every output it produces."
    from execnb.nbio import read_nb
    from execnb.shell import CaptureShell
    nb = read_nb(ROOT/'nbs'/'13_credentials.ipynb')
    secrets = {'hunter2-not-a-real-password', 'pw-not-real', 'secret-key-not-real', 'key-id-not-real', 'gh-token-not-real',
               'tok-not-real', 's@fe-not-real', 's%40fe-not-real'}
    source = '\n'.join(c.source for c in nb.cells)
    assert all(s in source for s in secrets)   # the notebook does use these values ...
    skip = lambda c: 'nbdev_export' in c.source or 'eval: false' in c.source
    cwd = os.getcwd()
    os.chdir(ROOT/'nbs')
    try: CaptureShell().run_all(nb, exc_stop=True, preproc=skip)
    finally: os.chdir(cwd)
    outputs = json.dumps([c.get('outputs', []) for c in nb.cells])
    assert 'SecretValue(' in outputs and "'***'" in outputs   # ... and displays them
    for s in secrets: assert s not in outputs, f'{s} reached a notebook output'
