"""The Ray engine on a local Ray (2 CPUs): the same store as the local engine on the demo corpus, from local folders
(read on the driver) and from an export on S3 (moto's standalone server on loopback, shards read by the workers);
result shards imported once; an unreachable address and a missing Ray in one line, with nothing written."""
import logging, os, socket, subprocess, sys, textwrap
from pathlib import Path
import pytest

ray = pytest.importorskip('ray')
from test_crash_recovery import snapshot
from codelupe.core import CodelupeError, demo_data_path
from codelupe.curate import curate
from codelupe.store import SampleStore
from codelupe.ray_engine import curate_ray

from conftest import LOOPBACK
AWS_ENV = {'AWS_ACCESS_KEY_ID': 'testing', 'AWS_SECRET_ACCESS_KEY': 'testing', 'AWS_DEFAULT_REGION': 'us-east-1',
           'AWS_EC2_METADATA_DISABLED': 'true', 'AWS_CONFIG_FILE': '/nonexistent/aws-config',
           'AWS_SHARED_CREDENTIALS_FILE': '/nonexistent/aws-credentials', 'NO_PROXY': '127.0.0.1,localhost'}


@pytest.fixture(scope='module')
def local_ray(moto_url):
    "A local Ray of 2 CPUs, started with the S3 settings in its environment (its workers inherit them)."
    saved = {k: os.environ.get(k) for k in [*AWS_ENV, 'AWS_ENDPOINT_URL']}
    os.environ.update(AWS_ENV, AWS_ENDPOINT_URL=moto_url)
    ray.init(num_cpus=2, include_dashboard=False, logging_level=logging.WARNING, log_to_driver=False)
    yield
    ray.shutdown()
    for k, v in saved.items():
        if v is None: os.environ.pop(k, None)
        else: os.environ[k] = v

@pytest.fixture(scope='module')
def local_store(tmp_path_factory):
    "The demo corpus through the local engine."
    db = tmp_path_factory.mktemp('local')/'local.duckdb'
    res = curate(db=db, workers=1)
    assert res.accepted > 0 and not res.failed
    return db

def test_ray_and_local_engines_give_the_same_store(local_ray, local_store, tmp_path):
    db = tmp_path/'ray.duckdb'
    res = curate_ray(db=db, workers=2, unit_repos=2)       # 6 demo repos: 3 units, 3 result shards
    local = snapshot(local_store)
    assert res.failed == [] and snapshot(db) == local
    with SampleStore(db, read_only=True) as s:
        assert s.count('shard_imports') == 3
        assert s.sql('SELECT count(*) n FROM pipeline_runs').n[0] > 0
    assert sorted(os.listdir(tmp_path)) == ['ray.duckdb']  # result shards removed once imported
    again = curate_ray(db=db, workers=2, unit_repos=2)
    assert (again.accepted, again.repos_written, again.repos_skipped) == (0, 0, res.repos_written)
    assert snapshot(db) == local

def test_a_result_shard_is_imported_once(local_ray, tmp_path):
    from codelupe.shards import ShardInfo, file_sha256, import_result_shard, location_for
    db, shards = tmp_path/'once.duckdb', tmp_path/'shards'
    one_repo = sorted(demo_data_path().iterdir())[0]
    res = curate_ray([one_repo], db=db, workers=1, shards=str(shards), keep_shards=True)
    [name] = os.listdir(shards)
    with SampleStore(db) as store:
        before = {t: store.count(t) for t in ('repos', 'samples', 'rejections', 'findings', 'shard_imports')}
        info = ShardInfo(name, 0, (shards/name).stat().st_size, file_sha256(shards/name))
        assert import_result_shard(store, location_for(shards), info).imported is False
        assert {t: store.count(t) for t in before} == before and before['repos'] == res.repos_written == 1

def test_ray_workers_read_an_export_on_s3(local_ray, local_store, moto_url, tmp_path):
    import boto3
    from codelupe.shards import export
    boto3.session.Session().client('s3', endpoint_url=moto_url).create_bucket(Bucket='scale')
    exported = export(local_store, 's3://scale/demo', shard_bytes=20_000, rows_per_group=16)
    assert len(exported.shards) >= 2
    by_local = curate(['s3://scale/demo'], db=tmp_path/'local.duckdb', workers=1)
    by_ray = curate_ray(['s3://scale/demo'], db=tmp_path/'ray.duckdb', workers=2)   # one unit per shard, read on the workers
    assert by_local.failed == by_ray.failed == []
    assert by_ray.files_seen == by_local.files_seen == exported.rows
    assert snapshot(tmp_path/'ray.duckdb') == snapshot(tmp_path/'local.duckdb')
    with SampleStore(tmp_path/'ray.duckdb', read_only=True) as s:
        assert s.count('shard_imports') == len(exported.shards)

def run_python(code, env=None):
    return subprocess.run([sys.executable, '-c', textwrap.dedent(code)], capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})

def test_unreachable_ray_address_is_one_line_and_writes_nothing(tmp_path):
    free = socket.socket(); free.bind((LOOPBACK, 0)); port = free.getsockname()[1]; free.close()
    for address in (f'{LOOPBACK}:{port}', f'ray://{LOOPBACK}:{port}'):
        r = run_python(f"""
            from codelupe.core import CodelupeError
            from codelupe.ray_engine import curate_ray
            try: curate_ray(db={str(tmp_path/'never.duckdb')!r}, ray_address={address!r})
            except CodelupeError as e: print(e)""")
        assert r.stdout == f'{address}: unreachable Ray address (connection refused); is the cluster up? (ray start --head, or the KubeRay head service)\n', r.stderr
    assert os.listdir(tmp_path) == []

def test_without_ray_the_engine_says_how_to_install_it(tmp_path):
    r = run_python(f"""
        import sys; sys.modules['ray'] = None   # as if Ray were not installed
        from codelupe.core import CodelupeError
        from codelupe.ray_engine import curate_ray
        try: curate_ray(db={str(tmp_path/'never.duckdb')!r})
        except CodelupeError as e: print(e)""")
    assert r.stdout == '--engine ray: Ray is not installed; install it with: pip install -e ".[scale]" (or: pip install "ray[data]>=2.10")\n', r.stderr
    assert os.listdir(tmp_path) == []

def test_importing_codelupe_does_not_import_ray():
    r = run_python("import sys, codelupe, codelupe.cli, codelupe.ray_engine; print('ray' in sys.modules)")
    assert r.stdout.strip() == 'False', r.stderr
