"""Hostile inputs for `codelupe.sources`: links out of the root, path traversal and links in archives, zip bombs,
corrupt archives, unreachable git URLs, and temporary folders that must not outlive their use."""
import io
import json
import os
import stat
import subprocess
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path

import pytest

from codelupe import sources
from codelupe.core import CodelupeError
from codelupe.sources import Skipped, iter_files, open_source

FAKE_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYzzFAKEzzKEY'


@pytest.fixture
def temp_root(tmp_path, monkeypatch):
    "A test-specific TMPDIR: clones and extractions must leave it empty."
    root = tmp_path / 'tmpdir'
    root.mkdir()
    monkeypatch.setenv('TMPDIR', str(root))
    monkeypatch.setattr(tempfile, 'tempdir', str(root))
    yield root
    assert os.listdir(root) == [], f'left behind: {os.listdir(root)}'


@pytest.fixture
def fake_home(tmp_path, monkeypatch):
    "A HOME with an AWS credentials file that must never be read."
    home = tmp_path / 'home'
    (home / '.aws').mkdir(parents=True)
    (home / '.aws' / 'credentials').write_text(f'[default]\naws_secret_access_key = {FAKE_SECRET}\n')
    monkeypatch.setenv('HOME', str(home))
    return home


def leaks(batches, *needles):
    "Does any text of the batches (contents, metadata, skips) hold one of `needles`?"
    text = repr([(b.repo, [(f.path, f.content) for f in b.files], b.skipped) for b in batches])
    return [n for n in needles if n in text]


def reasons(batch):
    return {s.path: s.reason for s in batch.skipped}


def git(*args, cwd):
    subprocess.run(['git', '-c', 'user.name=t', '-c', 'user.email=t@example.com', *args], cwd=cwd, check=True,
                   capture_output=True)


def make_repo(path, files):
    path.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (path / name).parent.mkdir(parents=True, exist_ok=True)
        (path / name).write_text(text)
    return path


# Links in folders


def test_symlink_to_etc_passwd_is_a_rejection(tmp_path, temp_root):
    repo = make_repo(tmp_path / 'repo', {'main.py': 'print(1)\n'})
    os.symlink('/etc/passwd', repo / 'passwd')
    os.symlink('../../../../../../../../etc/passwd', repo / 'relative_passwd')
    [batch] = open_source(str(repo))
    assert [f.path for f in batch.files] == ['main.py']
    assert reasons(batch) == {'passwd': 'symlink', 'relative_passwd': 'symlink'}
    assert leaks([batch], 'root:') == []


def test_symlink_to_aws_credentials_is_a_rejection(tmp_path, fake_home, temp_root):
    repo = make_repo(tmp_path / 'repo', {'app.py': 'import boto3\n'})
    os.symlink(fake_home / '.aws' / 'credentials', repo / 'credentials')
    os.symlink(os.path.relpath(fake_home / '.aws' / 'credentials', repo / 'config'), repo / 'config_link')
    (repo / 'config').mkdir()
    os.symlink(Path(os.path.expanduser('~')) / '.aws', repo / 'config' / 'aws')
    [batch] = open_source(str(repo))
    assert [f.path for f in batch.files] == ['app.py']
    assert reasons(batch) == {'credentials': 'symlink', 'config_link': 'symlink', 'config/aws': 'symlink'}
    assert leaks([batch], FAKE_SECRET, 'aws_secret_access_key') == []


def test_symlinked_directory_is_not_entered(tmp_path, fake_home, temp_root):
    repo = make_repo(tmp_path / 'repo', {'src/a.py': 'x = 1\n'})
    os.symlink(fake_home, repo / 'src' / 'home')
    os.symlink('/etc', repo / 'etc')
    os.symlink('.', repo / 'loop')
    [batch] = open_source(str(repo))
    assert [f.path for f in batch.files] == ['src/a.py']
    assert reasons(batch) == {'etc': 'symlink', 'loop': 'symlink', 'src/home': 'symlink'}
    assert leaks([batch], FAKE_SECRET) == []


def test_iter_files_never_follows_links_inside_folders(tmp_path, fake_home):
    repo = make_repo(tmp_path / 'repo', {'a.py': 'x = 1\n'})
    os.symlink(fake_home / '.aws' / 'credentials', repo / 'credentials')
    skipped = []
    files = list(iter_files([str(repo)], on_skip=skipped.append))
    assert [f.path for f in files] == [f'{repo}/a.py']
    assert [(s.path, s.reason) for s in skipped] == [(f'{repo}/credentials', 'symlink')]
    assert all(FAKE_SECRET not in f.content for f in files)


def test_symlinks_in_a_cloned_git_repo_are_rejections(tmp_path, fake_home, temp_root):
    origin = make_repo(tmp_path / 'origin', {'main.py': 'print(1)\n'})
    git('init', '-q', cwd=origin)
    os.symlink('/etc/passwd', origin / 'passwd')
    os.symlink(fake_home / '.aws' / 'credentials', origin / 'credentials')
    os.symlink(fake_home, origin / 'home')
    git('add', '-A', cwd=origin)
    git('commit', '-qm', 'hostile', cwd=origin)
    [batch] = open_source(origin.as_uri())
    assert [f.path for f in batch.files] == ['main.py']
    assert reasons(batch) == {'credentials': 'symlink', 'home': 'symlink', 'passwd': 'symlink'}
    assert leaks([batch], FAKE_SECRET, 'root:') == []


def test_fifo_and_deep_nesting_do_not_hang_or_crash(tmp_path, monkeypatch):
    repo = make_repo(tmp_path / 'repo', {'a.py': 'x = 1\n'})
    os.mkfifo(repo / 'pipe')
    deep = repo / 'd1' / 'd2' / 'd3' / 'd4'
    deep.mkdir(parents=True)
    (deep / 'deep.py').write_text('y = 2\n')
    monkeypatch.setattr(sources, 'MAX_DEPTH', 2)
    [batch] = open_source(str(repo))
    assert reasons(batch) == {'pipe': 'unreadable', 'd1/d2/d3': 'too-deep'}
    assert [f.path for f in batch.files] == ['a.py']


def test_named_fifo_is_refused_without_blocking(tmp_path):
    os.mkfifo(tmp_path / 'pipe')
    start = time.monotonic()
    with pytest.raises(CodelupeError, match='not a regular file'):
        list(iter_files([str(tmp_path / 'pipe')]))
    assert time.monotonic() - start < 5


def test_file_names_that_are_not_utf8(tmp_path):
    repo = tmp_path / 'repo'
    repo.mkdir()
    (repo / 'ok.py').write_text('x = 1\n')
    with open(os.path.join(os.fsencode(repo), b'bad\xff.py'), 'w') as f:
        f.write('y = 2\n')
    [batch] = open_source(str(repo))
    assert [f.path for f in batch.files] == ['ok.py']
    [skip] = batch.skipped
    assert skip.reason == 'not-utf8'
    skip.path.encode('utf-8')  # a reportable name


@pytest.mark.skipif(os.geteuid() == 0, reason='root reads files whatever their mode')
def test_unreadable_file_is_a_rejection_and_unreadable_named_file_an_error(tmp_path):
    repo = make_repo(tmp_path / 'repo', {'a.py': 'x = 1\n', 'secret.py': 'y = 2\n'})
    os.chmod(repo / 'secret.py', 0)
    [batch] = open_source(str(repo))
    assert reasons(batch) == {'secret.py': 'unreadable'}
    with pytest.raises(CodelupeError, match='permission denied'):
        list(iter_files([str(repo / 'secret.py')]))


# Archives: traversal and links


def tar_add(tf, name, data=b'', type_=tarfile.REGTYPE, linkname=''):
    info = tarfile.TarInfo(name)
    info.type = type_
    info.linkname = linkname
    info.size = len(data) if type_ == tarfile.REGTYPE else 0
    tf.addfile(info, io.BytesIO(data) if type_ == tarfile.REGTYPE else None)


def test_tar_path_traversal_and_links_out(tmp_path, temp_root):
    target = tmp_path / 'victim'
    target.mkdir()
    archive = tmp_path / 'evil.tar.gz'
    with tarfile.open(archive, 'w:gz') as tf:
        tar_add(tf, 'src/ok.py', b'print(1)\n')
        tar_add(tf, '../evil.py', b'owned = 1\n')
        tar_add(tf, f'{target}/abs.py', b'owned = 2\n')
        tar_add(tf, 'src/../../evil2.py', b'owned = 3\n')
        tar_add(tf, 'passwd', type_=tarfile.SYMTYPE, linkname='/etc/passwd')
        tar_add(tf, 'up', type_=tarfile.SYMTYPE, linkname='../../..')
        tar_add(tf, 'hard', type_=tarfile.LNKTYPE, linkname='/etc/passwd')
        tar_add(tf, 'hard_up', type_=tarfile.LNKTYPE, linkname='../outside')
        tar_add(tf, 'inside_link', type_=tarfile.SYMTYPE, linkname='src/ok.py')
        # the classic: a link to a folder outside, then a file written "through" it
        tar_add(tf, 'escape', type_=tarfile.SYMTYPE, linkname=str(target))
        tar_add(tf, 'escape/planted.py', b'owned = 4\n')
        tar_add(tf, 'dev', type_=tarfile.CHRTYPE)
        tar_add(tf, 'fifo', type_=tarfile.FIFOTYPE)
    [batch] = open_source(str(archive))
    assert reasons(batch) == {
        '../evil.py': 'unsafe-archive-member', f'{target}/abs.py': 'unsafe-archive-member',
        'src/../../evil2.py': 'unsafe-archive-member', 'passwd': 'unsafe-archive-member',
        'up': 'unsafe-archive-member', 'hard': 'unsafe-archive-member', 'hard_up': 'unsafe-archive-member',
        'inside_link': 'symlink', 'escape': 'unsafe-archive-member', 'dev': 'unsafe-archive-member',
        'fifo': 'unsafe-archive-member'}
    # the planted file stays inside the extraction, as a plain file of the archive
    assert [f.path for f in batch.files] == ['escape/planted.py', 'src/ok.py']
    assert os.listdir(target) == []
    assert not (tmp_path / 'evil.py').exists() and not (tmp_path / 'evil2.py').exists()
    assert leaks([batch], 'root:') == []


def zip_symlink(zf, name, target):
    info = zipfile.ZipInfo(name)
    info.create_system = 3
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    zf.writestr(info, target)


def test_zip_path_traversal_and_links_out(tmp_path, temp_root):
    archive = tmp_path / 'evil.zip'
    with zipfile.ZipFile(archive, 'w') as zf:
        zf.writestr('README.md', '# two top-level entries: no top folder to strip\n')
        zf.writestr('pkg/ok.py', 'print(1)\n')
        zf.writestr('../evil.py', 'owned = 1\n')
        zf.writestr('/tmp/abs_evil.py', 'owned = 2\n')
        zf.writestr('pkg\\..\\..\\win_evil.py', 'owned = 3\n')
        zf.writestr('C:\\Windows\\evil.py', 'owned = 4\n')
        zip_symlink(zf, 'passwd', '/etc/passwd')
        zip_symlink(zf, 'up', '../../secret')
        zip_symlink(zf, 'pkg/sibling', 'ok.py')
    [batch] = open_source(str(archive))
    assert reasons(batch) == {
        '../evil.py': 'unsafe-archive-member', '/tmp/abs_evil.py': 'unsafe-archive-member',
        'pkg\\..\\..\\win_evil.py': 'unsafe-archive-member', 'C:\\Windows\\evil.py': 'unsafe-archive-member',
        'passwd': 'unsafe-archive-member', 'up': 'unsafe-archive-member', 'pkg/sibling': 'symlink'}
    assert [f.path for f in batch.files] == ['README.md', 'pkg/ok.py']
    assert not (tmp_path / 'evil.py').exists() and not (tmp_path.parent / 'win_evil.py').exists()
    assert not Path('/tmp/abs_evil.py').exists()
    assert leaks([batch], 'root:') == []


# Archives: bombs


def test_zip_member_with_huge_size_is_skipped_not_inflated(tmp_path, temp_root):
    archive = tmp_path / 'bomb.zip'
    with zipfile.ZipFile(archive, 'w', zipfile.ZIP_DEFLATED) as zf:
        zf.writestr('ok.py', 'x = 1\n')
        with zf.open('zeros.txt', 'w') as member:
            for _ in range(64):
                member.write(b'0' * (1 << 20))  # 64 MB of zeros, ~64 KB on disk
    assert archive.stat().st_size < 200_000
    [batch] = open_source(str(archive))
    assert [f.path for f in batch.files] == ['ok.py']
    assert [(s.path, s.reason, s.size) for s in batch.skipped] == [('zeros.txt', 'too-large', 64 << 20)]


def test_zip_bomb_over_the_total_cap_is_refused(tmp_path, temp_root):
    archive = tmp_path / 'bomb.zip'
    with zipfile.ZipFile(archive, 'w', zipfile.ZIP_DEFLATED) as zf:
        for i in range(20):
            zf.writestr(f'part{i}.txt', '0' * 900_000)  # each under the file cap, 18 MB in all
    with pytest.raises(CodelupeError, match='zip bomb') as e:
        list(open_source(str(archive), max_archive_bytes=5_000_000))
    assert str(e.value).startswith(str(archive)) and '\n' not in str(e.value)


def test_zip_with_too_many_members_is_refused(tmp_path, temp_root):
    archive = tmp_path / 'many.zip'
    with zipfile.ZipFile(archive, 'w') as zf:
        for i in range(3000):
            zf.writestr(f'f{i}.txt', '')
    with pytest.raises(CodelupeError, match='more than 2000 archive members'):
        list(open_source(str(archive), max_archive_members=2000))


def test_tar_with_too_many_members_is_refused(tmp_path, temp_root):
    archive = tmp_path / 'many.tar.gz'
    with tarfile.open(archive, 'w:gz') as tf:
        for i in range(3000):
            tar_add(tf, f'f{i}.txt', b'')
    with pytest.raises(CodelupeError, match='more than 2000 archive members'):
        list(open_source(str(archive), max_archive_members=2000))


def test_zip_that_lies_about_its_size_is_bounded(tmp_path, temp_root):
    archive = tmp_path / 'liar.zip'
    with zipfile.ZipFile(archive, 'w', zipfile.ZIP_DEFLATED) as zf:
        zf.writestr('big.txt', '0' * (8 << 20))
    data = bytearray(archive.read_bytes())
    local = data.index(b'PK\x03\x04')
    central = data.index(b'PK\x01\x02')
    data[local + 22:local + 26] = (100).to_bytes(4, 'little')    # uncompressed size in the local header
    data[central + 24:central + 28] = (100).to_bytes(4, 'little') # and in the central directory
    archive.write_bytes(bytes(data))
    with pytest.raises(CodelupeError, match='corrupt or unreadable archive'):
        list(open_source(str(archive)))


# Corrupt input: one line naming the source


@pytest.mark.parametrize('name, payload', [
    ('garbage.zip', b'PK\x03\x04' + b'\x00' * 40),
    ('garbage.tar.gz', b'\x1f\x8b\x08\x00' + b'nonsense' * 10),
    ('empty.tgz', b''),
    ('text.tar', b'just some text, not a tar file\n' * 20),
])
def test_corrupt_archive_is_one_line_error(tmp_path, temp_root, name, payload):
    path = tmp_path / name
    path.write_bytes(payload)
    with pytest.raises(CodelupeError) as e:
        list(open_source(str(path)))
    assert str(e.value).startswith(f'{path}: ') and '\n' not in str(e.value)


def test_truncated_tar_gz_is_one_line_error(tmp_path, temp_root):
    archive = tmp_path / 'cut.tar.gz'
    with tarfile.open(archive, 'w:gz') as tf:
        for i in range(50):
            tar_add(tf, f'src/m{i}.py', os.urandom(2000).hex().encode())
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(CodelupeError, match='corrupt or unreadable archive') as e:
        list(open_source(str(archive)))
    assert '\n' not in str(e.value)


def test_corrupt_datasets_are_one_line_errors(tmp_path):
    (tmp_path / 'x.parquet').write_bytes(b'PAR1 definitely not parquet')
    (tmp_path / 'x.jsonl.gz').write_bytes(b'not gzip at all')
    (tmp_path / 'x.jsonl').write_bytes(b'{"content": "\xff\xfe", "path": "a.py"}\n')
    for name in ('x.parquet', 'x.jsonl.gz', 'x.jsonl'):
        with pytest.raises(CodelupeError) as e:
            list(open_source(str(tmp_path / name)))
        assert str(e.value).startswith(str(tmp_path / name)) and '\n' not in str(e.value)


def test_dataset_paths_that_climb_out_are_rejections(tmp_path):
    rows = [{'content': 'x = 1\n', 'path': p} for p in ('ok.py', '../../etc/passwd', '/etc/shadow', 'a/../../b.py',
                                                         'node_modules/x/index.js')]
    (tmp_path / 'd.jsonl').write_text(''.join(json.dumps(r) + '\n' for r in rows))
    [batch] = open_source(str(tmp_path / 'd.jsonl'))
    assert [f.path for f in batch.files] == ['ok.py']
    assert reasons(batch) == {'../../etc/passwd': 'outside-root', '/etc/shadow': 'outside-root',
                              'a/../../b.py': 'outside-root', 'node_modules/x/index.js': 'vendored-directory'}


def test_missing_path_names_the_path():
    with pytest.raises(CodelupeError, match=r'^/no/such/place: no such file or directory$'):
        open_source('/no/such/place')


def test_option_like_and_ext_transport_specs_never_reach_git(temp_root):
    for spec in ('--upload-pack=touch /tmp/codelupe-pwned', 'ext::sh -c touch% /tmp/codelupe-pwned'):
        with pytest.raises(CodelupeError, match='no such file or directory'):
            open_source(spec)
    assert not os.path.exists('/tmp/codelupe-pwned')


# Git failures


def test_missing_git_repository_fails_fast(tmp_path, temp_root):
    start = time.monotonic()
    with pytest.raises(CodelupeError) as e:
        list(open_source((tmp_path / 'nope.git').as_uri()))
    assert time.monotonic() - start < 5
    assert 'nope.git' in str(e.value) and '\n' not in str(e.value)


def test_unreachable_git_url_is_retried_then_one_line_without_credentials(temp_root):
    start = time.monotonic()
    with pytest.raises(CodelupeError) as e:
        list(open_source('http://user:s3cr3t-t0ken@127.0.0.1:9/owner/repo.git', clone_attempts=2, clone_timeout=20))
    message = str(e.value)
    assert time.monotonic() - start < 30
    assert 's3cr3t-t0ken' not in message and '\n' not in message
    assert message.startswith('http://***@127.0.0.1:9/owner/repo.git: ')


# Temporary folders


def test_temp_folders_are_removed_when_the_consumer_stops_early(tmp_path, temp_root):
    corpus = tmp_path / 'corpus'
    for name in ('a', 'b', 'c'):
        origin = make_repo(corpus / name, {'main.py': f'# {name}\n'})
        git('init', '-q', cwd=origin)
        git('add', '-A', cwd=origin)
        git('commit', '-qm', name, cwd=origin)
    batches = open_source(str(corpus))  # a folder of local git repos: each is cloned
    first = next(batches)
    assert first.repo.name == 'a' and first.repo.commit
    assert os.listdir(temp_root) == []  # the clone is gone before the batch is handed over
    batches.close()
    abandoned = open_source(str(corpus))
    next(abandoned)
    del abandoned
    assert os.listdir(temp_root) == []


def test_temp_folders_are_removed_after_errors(tmp_path, temp_root):
    archive = tmp_path / 'bomb.zip'
    with zipfile.ZipFile(archive, 'w') as zf:
        for i in range(10):
            zf.writestr(f'f{i}.txt', 'x' * 1000)
    with pytest.raises(CodelupeError):
        list(open_source(str(archive), max_archive_bytes=5000))
    # the fixture checks that nothing is left in TMPDIR
