"""Exports and shard sources on S3, against moto's standalone server on loopback (boto3 over HTTP through
`AWS_ENDPOINT_URL`, no in-process mocking): the round trip export -> curate, multipart uploads, an upload interrupted
half-way, a missing bucket, missing credentials, a stored credential, plain Parquet objects. Nothing leaves 127.0.0.1."""
import hashlib, json, logging, os
from pathlib import Path
import pytest

boto3 = pytest.importorskip('boto3')
moto_server = pytest.importorskip('moto.server')

from codelupe.core import CodelupeError, Repo, SourceFile
from codelupe.curate import curate
from codelupe.shards import MANIFEST_NAME, export, export_command, open_s3_source, dataset_units
from codelupe.store import SampleStore, repo_fingerprint

from conftest import LOOPBACK
BUCKET = 'curated'


@pytest.fixture(autouse=True)
def s3(moto_url, monkeypatch):
    "A fresh moto server state with one bucket; boto3's default chain pointed at it with fake keys; no machine settings."
    import requests
    for k in list(os.environ):
        if k.startswith(('AWS_', 'CODELUPE_', 'VAULT_')) or k.lower() in ('http_proxy', 'https_proxy', 'all_proxy'):
            monkeypatch.delenv(k)
    monkeypatch.setenv('AWS_ACCESS_KEY_ID', 'testing')
    monkeypatch.setenv('AWS_SECRET_ACCESS_KEY', 'testing')
    monkeypatch.setenv('AWS_DEFAULT_REGION', 'us-east-1')
    monkeypatch.setenv('AWS_ENDPOINT_URL', moto_url)
    monkeypatch.setenv('AWS_EC2_METADATA_DISABLED', 'true')
    monkeypatch.setenv('AWS_CONFIG_FILE', '/nonexistent/aws-config')
    monkeypatch.setenv('AWS_SHARED_CREDENTIALS_FILE', '/nonexistent/aws-credentials')
    monkeypatch.setenv('NO_PROXY', '127.0.0.1,localhost')
    requests.post(f'{moto_url}/moto-api/reset', timeout=10)
    client = boto3.client('s3', region_name='us-east-1', endpoint_url=moto_url)
    client.create_bucket(Bucket=BUCKET)
    return client

@pytest.fixture(scope='module')
def demo_db(tmp_path_factory):
    db = tmp_path_factory.mktemp('demo')/'demo.duckdb'
    res = curate(db=db, workers=1)
    assert res.accepted > 0 and not res.failed
    return db

def hashes(db):
    with SampleStore(db, read_only=True) as s: return set(s.sql('SELECT sha256 FROM samples').sha256)

def keys(client, prefix=''):
    return sorted(o['Key'] for o in client.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get('Contents', []))

def test_round_trip_export_then_curate(s3, demo_db, tmp_path):
    res = export(demo_db, f's3://{BUCKET}/exports/demo', shard_bytes=20_000, rows_per_group=16)
    assert len(res.shards) >= 2 and res.rows == len(hashes(demo_db))
    assert keys(s3, 'exports/demo/') == sorted([f'exports/demo/{s.name}' for s in res.shards] + [f'exports/demo/{MANIFEST_NAME}'])
    manifest = json.loads(s3.get_object(Bucket=BUCKET, Key=f'exports/demo/{MANIFEST_NAME}')['Body'].read())
    for entry in manifest['shards']:
        body = s3.get_object(Bucket=BUCKET, Key=f"exports/demo/{entry['name']}")['Body'].read()
        assert hashlib.sha256(body).hexdigest() == entry['sha256'] and len(body) == entry['bytes']
    again = curate([f's3://{BUCKET}/exports/demo'], db=tmp_path/'again.duckdb', workers=1)
    assert again.failed == [] and again.accepted == res.rows
    assert hashes(tmp_path/'again.duckdb') == hashes(demo_db)
    with SampleStore(tmp_path/'again.duckdb', read_only=True) as s:
        assert all(src.startswith(f's3://{BUCKET}/exports/demo/part-') for src in s.sql('SELECT source FROM repos').source)
    rerun = curate([f's3://{BUCKET}/exports/demo'], db=tmp_path/'again.duckdb', workers=1)
    assert (rerun.accepted, rerun.repos_written) == (0, 0)       # nothing imported twice

def test_export_command_prints_one_line(s3, demo_db, capsys):
    import io
    out = io.StringIO()
    assert export_command(str(demo_db), f's3://{BUCKET}/cmd', shard_mb=1, as_json=True, out=out) == 0
    result = json.loads(out.getvalue())
    assert result['to'] == f's3://{BUCKET}/cmd' and len(result['shards']) == 1

class FailingAfter:
    "A boto3 S3 client whose uploads fail (a connection that drops) after the first `ok` ones."
    def __init__(self, client, ok=1): self.client, self.ok, self.uploads = client, ok, 0
    def upload_file(self, *args, **kw):
        self.uploads += 1
        if self.uploads > self.ok:
            from botocore.exceptions import EndpointConnectionError
            raise EndpointConnectionError(endpoint_url='http://127.0.0.1:9/unreachable')
        return self.client.upload_file(*args, **kw)
    def __getattr__(self, name): return getattr(self.client, name)

def test_interrupted_upload_leaves_no_manifest(s3, demo_db, tmp_path):
    client = FailingAfter(boto3.client('s3'))
    with pytest.raises(CodelupeError) as e:
        export(demo_db, f's3://{BUCKET}/broken', shard_bytes=20_000, rows_per_group=16, client=client)
    assert 'S3 failed after 3 tries' in str(e.value) and '\n' not in str(e.value)
    assert client.uploads == 1 + 3                              # the first shard, then three tries of the second
    left = keys(s3, 'broken/')
    assert left == ['broken/part-00000.parquet']                # the shard that made it, and no manifest
    # a reader refuses the half-written export instead of reading its shards as data
    with pytest.raises(CodelupeError, match='shard without its manifest.json'):
        list(open_s3_source(f's3://{BUCKET}/broken'))
    res = curate([f's3://{BUCKET}/broken'], db=tmp_path/'x.duckdb', workers=1)
    assert res.accepted == 0 and len(res.failed) == 1 and 'manifest.json' in res.failed[0][1]
    # exporting again to the same place completes it
    done = export(demo_db, f's3://{BUCKET}/broken', shard_bytes=20_000, rows_per_group=16)
    assert MANIFEST_NAME in {k.rsplit('/', 1)[1] for k in keys(s3, 'broken/')}
    assert len(list(open_s3_source(f's3://{BUCKET}/broken'))) > 0 and done.rows == len(hashes(demo_db))

def test_existing_export_is_not_overwritten(s3, demo_db):
    export(demo_db, f's3://{BUCKET}/once')
    before = {k: s3.head_object(Bucket=BUCKET, Key=k)['ETag'] for k in keys(s3, 'once/')}
    with pytest.raises(CodelupeError, match='already holds an export'):
        export(demo_db, f's3://{BUCKET}/once')
    assert {k: s3.head_object(Bucket=BUCKET, Key=k)['ETag'] for k in keys(s3, 'once/')} == before

def test_missing_bucket_is_one_line_and_writes_nothing(s3, demo_db, tmp_path):
    with pytest.raises(CodelupeError) as e:
        export(demo_db, 's3://no-such-bucket/x')
    assert str(e.value) == 's3://no-such-bucket: no such bucket'
    with pytest.raises(CodelupeError, match='no such bucket'):
        list(open_s3_source('s3://no-such-bucket/x'))
    res = curate(['s3://no-such-bucket/x'], db=tmp_path/'y.duckdb', workers=1)
    assert res.failed == [('s3://no-such-bucket/x', 's3://no-such-bucket: no such bucket')]

def test_missing_credentials_is_one_line_and_writes_nothing(s3, demo_db, monkeypatch):
    monkeypatch.delenv('AWS_ACCESS_KEY_ID'); monkeypatch.delenv('AWS_SECRET_ACCESS_KEY')
    with pytest.raises(CodelupeError) as e:
        export(demo_db, f's3://{BUCKET}/nocreds')
    assert str(e.value).startswith(f's3://{BUCKET}: no AWS credentials') and '\n' not in str(e.value)
    assert 'testing' not in str(e.value)
    with pytest.raises(CodelupeError, match='no AWS credentials'):
        dataset_units(f's3://{BUCKET}/nocreds')
    assert keys(s3) == []

def test_named_storage_credential(s3, demo_db, moto_url, monkeypatch, tmp_path):
    "Keys and endpoint from `CredentialStore().storage_config(name)`; boto3's own chain has nothing."
    for k in ('AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_ENDPOINT_URL', 'AWS_DEFAULT_REGION'): monkeypatch.delenv(k)
    monkeypatch.setenv('CODELUPE_S3_CURATED', json.dumps({'bucket': BUCKET, 'endpoint_url': moto_url, 'region': 'us-east-1',
                                                          'access_key_id': 'testing', 'secret_access_key': 'testing'}))
    res = export(demo_db, f's3://{BUCKET}/named', storage='s3/curated')
    assert res.rows > 0 and f'named/{MANIFEST_NAME}' in keys(s3, 'named/')
    monkeypatch.setenv('CODELUPE_STORAGE', 's3/curated')                 # curate reads the name from the environment
    again = curate([f's3://{BUCKET}/named'], db=tmp_path/'named.duckdb', workers=1)
    assert again.failed == [] and hashes(tmp_path/'named.duckdb') == hashes(demo_db)

def test_large_shard_goes_up_in_parts(s3, tmp_path):
    "A shard above the multipart threshold is uploaded in 5 MB parts (moto checks part sizes) and reads back whole."
    db = tmp_path/'big.duckdb'
    with SampleStore(db) as store:
        repo = Repo('big', 'big')
        files = [SourceFile(f'blob{i}.txt', os.urandom(400_000).hex(), 'Text', repo) for i in range(16)] # ~12.8 MB of hex
        store.write_repo(repo, files, [], repo_fingerprint(files))
    res = export(db, f's3://{BUCKET}/big', multipart_bytes=5 * 2**20)
    [shard] = res.shards
    assert shard.bytes > 5 * 2**20
    etag = s3.head_object(Bucket=BUCKET, Key=f'big/{shard.name}')['ETag']
    assert etag.strip('"').endswith('-2')                                  # a multipart ETag: two parts
    got = {f.sha256 for b in open_s3_source(f's3://{BUCKET}/big', max_file_bytes=1_000_000) for f in b.files}
    assert got == hashes(db)

def test_plain_parquet_and_jsonl_objects(s3, tmp_path):
    "Objects in The Stack's layout, without a manifest: read object by object, batches named after the objects."
    import gzip, io
    import pyarrow as pa, pyarrow.parquet as pq
    buf = io.BytesIO()
    pq.write_table(pa.Table.from_pylist([{'content': f'def f{i}():\n    return {i}\n', 'max_stars_repo_path': f'src/m{i}.py',
                                          'max_stars_repo_name': 'owner/repo', 'max_stars_repo_licenses': ['MIT']} for i in range(5)]), buf)
    s3.put_object(Bucket=BUCKET, Key='stack/data/python/train-00000.parquet', Body=buf.getvalue())
    s3.put_object(Bucket=BUCKET, Key='stack/data/js/train-00000.jsonl.gz',
                  Body=gzip.compress(b''.join(json.dumps({'content': f'let x{i} = {i};\n', 'path': f'x{i}.js'}).encode() + b'\n' for i in range(3))))
    s3.put_object(Bucket=BUCKET, Key='stack/README.md', Body=b'# not data\n')
    batches = list(open_s3_source(f's3://{BUCKET}/stack', batch_rows=4))
    assert [b.repo.source for b in batches] == [f's3://{BUCKET}/stack/data/js/train-00000.jsonl.gz#0',
                                                f's3://{BUCKET}/stack/data/python/train-00000.parquet#0',
                                                f's3://{BUCKET}/stack/data/python/train-00000.parquet#1']
    assert [len(b.files) for b in batches] == [3, 4, 1]
    assert batches[1].files[0].path == 'owner/repo/src/m0.py' and batches[1].files[0].license == 'MIT'
    one = list(open_s3_source(f's3://{BUCKET}/stack/data/python/train-00000.parquet'))   # one object named directly
    assert sum(len(b.files) for b in one) == 5
    with pytest.raises(CodelupeError, match='no manifest.json and no Parquet or JSON Lines'):
        list(open_s3_source(f's3://{BUCKET}/empty-prefix'))
    res = curate([f's3://{BUCKET}/stack'], db=tmp_path/'stack.duckdb', workers=1)
    assert res.failed == [] and res.files_seen == 8

def test_sources_stays_free_of_boto3():
    import subprocess, sys
    r = subprocess.run([sys.executable, '-c', 'import sys, codelupe, codelupe.sources, codelupe.shards; '
                        'print(sorted(m for m in ("boto3", "botocore", "ray", "pyarrow") if m in sys.modules))'],
                       capture_output=True, text=True)
    assert r.stdout.strip() == '[]', r.stdout + r.stderr
