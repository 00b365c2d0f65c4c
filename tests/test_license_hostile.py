"License layer on hostile inputs: huge, repetitive, binary-looking or malformed texts finish fast and never raise."
import json, os, subprocess, sys, time
import pytest
from codelupe.core import Repo, SourceFile
from codelupe.scanners.license import (detect_license, find_licenses, manifest_licenses, readme_licenses, spdx_identifiers,
                                       license_from_value, LicenseScanner, license_index)

MIT = ('Permission is hereby granted, free of charge, to any person obtaining a copy of this software and associated '
       'documentation files (the "Software"), to deal in the Software without restriction, including without limitation '
       'the rights to use, copy, modify, merge, publish, distribute, sublicense, and/or sell copies of the Software, and to '
       'permit persons to whom the Software is furnished to do so, subject to the following conditions:\n\nThe above '
       'copyright notice and this permission notice shall be included in all copies or substantial portions of the Software.'
       '\n\nTHE SOFTWARE IS PROVIDED "AS IS", WITHOUT WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO '
       'THE WARRANTIES OF MERCHANTABILITY, FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE '
       'AUTHORS OR COPYRIGHT HOLDERS BE LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, '
       'TORT OR OTHERWISE, ARISING FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.\n')

CLI = [sys.executable, '-c', 'import sys; from codelupe.cli import main; sys.exit(main())']

@pytest.fixture(scope='module', autouse=True)
def index(): return license_index()

def timed(fn, *args, limit=5.0):
    start = time.process_time(); out = fn(*args)
    assert time.process_time() - start < limit, f'{fn.__name__} took too long'
    return out

@pytest.mark.parametrize('text', ids=['repeated-license', 'common-words', 'hash-line', 'binary', 'unknown-words'], argvalues=[
    MIT * 300,                                        # one license many times: bounded rounds
    'the software ' * 100_000,                        # common bigrams only
    '#' * 1_000_000,                                  # one huge line of comment markers
    '\x00\x01\x02 binary \ud800 surrogate ' * 10_000, # binary-looking, lone surrogates
    ' '.join(f'w{i}' for i in range(200_000)),        # no known word at all
])
def test_detect_is_bounded(text):
    m = timed(detect_license, text)
    assert m is None or m.spdx

def test_repeated_license_is_one_license():
    assert timed(detect_license, MIT * 50).spdx == 'MIT'

@pytest.mark.parametrize('name,text', ids=['deep-json', 'long-json-list', 'toml-quotes', 'pom-unclosed', 'setup-py', 'gemspec', 'cfg-broken'], argvalues=[
    ('package.json', '[' * 100_000 + ']' * 100_000),  # nesting beyond the JSON parser's recursion
    ('package.json', '{"license": ' + '["MIT", ' * 5000 + '"x"' + ']' * 5000 + '}'),
    ('pyproject.toml', 'license = ' + '"' * 1000),
    ('pom.xml', '<license>' * 100_000),
    ('setup.py', 'license=' * 100_000),
    ('x.gemspec', 's.licenses = [' + "'a'," * 100_000),
    ('setup.cfg', '[metadata\nlicense = MIT'),
])
def test_manifests_never_raise(name, text):
    assert isinstance(timed(manifest_licenses, name, text), list)

def test_readme_headings_are_linear():
    assert timed(readme_licenses, 'README.md', '#' * 200_000 + ' \t' * 100_000) == []
    assert timed(readme_licenses, 'README.md', ('## x\n' * 50_000) + '## License\nMIT\n')[0].spdx == 'MIT'

def test_values_and_ids():
    assert timed(license_from_value, 'MIT OR ' * 20_000 + 'MIT')[0] == 'MIT'
    deep = timed(license_from_value, '(' * 10_000 + 'MIT' + ')' * 10_000)   # beyond the parser's recursion
    assert deep is None or deep[0] == 'MIT'
    assert timed(spdx_identifiers, '// SPDX-License-Identifier: ' + 'MIT AND ' * 10_000 + 'MIT\n')[0].spdx == 'MIT'

def test_scanner_with_hostile_repo():
    repo = Repo('hostile', license_files={'LICENSE': MIT * 100, 'sub/COPYING': '\ud800' * 1000},
                manifests={'package.json': '{', 'README.md': '## License\n' + 'x ' * 100_000})
    d = timed(LicenseScanner(), SourceFile('a.py', 'x = 1\n' * 10_000, 'Python', repo))
    assert d.accepted

def test_command_end_to_end(tmp_path):
    (tmp_path/'LICENSE').write_text(MIT)
    (tmp_path/'package.json').write_text('{"license": "MIT"}')
    (tmp_path/'vendor').mkdir(); (tmp_path/'vendor'/'COPYING').write_text('GNU GENERAL PUBLIC LICENSE\nVersion 3')
    r = subprocess.run(CLI + ['license', '--json', str(tmp_path)], capture_output=True, text=True)
    rows = [json.loads(l) for l in r.stdout.splitlines()]
    assert r.returncode == 0, r.stderr
    assert rows[0]['spdx'] == 'MIT' and rows[0]['category'] == 'permissive' and rows[0]['path'] == str(tmp_path)
    r = subprocess.run(CLI + ['license', str(tmp_path/'missing')], capture_output=True, text=True)
    assert r.returncode == 2 and 'no such file' in r.stderr and 'Traceback' not in r.stderr

# The per-user cache of the built index: every process must get the same answers whether it builds the index or reads
# it, and a damaged, stale or unwritable cache must only cost the time of building.
PROBE = '''
import gzip, json, sys
from dataclasses import asdict
from codelupe.scanners.license import license_index, find_licenses, detect_license, index_path
idx = license_index()
templates = json.loads(gzip.decompress(index_path().read_bytes()))['templates']
texts = [sys.argv[1]] + [next(t[2] for t in templates if t[0] == e and t[1] == 'text') for e in ('Apache-2.0', 'GPL-3.0-only', 'BSD-3-Clause')]
texts.append('\\n\\n'.join(texts))
print(json.dumps(dict(from_cache=idx.from_cache, sizes=sum(idx.sizes), post=len(idx.post),
                      found=[[asdict(m) for m in find_licenses(t)] for t in texts], detected=detect_license(texts[-1]).to_dict())))
'''

def probe(cache_home):
    env = {k: v for k, v in os.environ.items() if k != 'CODELUPE_CACHE'} | {'XDG_CACHE_HOME': str(cache_home)}
    return subprocess.Popen([sys.executable, '-c', PROBE, MIT], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)

def probed(cache_home):
    "(from_cache, results) of a fresh process using `cache_home`; fails on any output to stderr."
    out, err = probe(cache_home).communicate(timeout=120)
    assert err == '', err
    res = json.loads(out)
    return res.pop('from_cache'), res

def cached_files(cache_home): return sorted((cache_home/'codelupe'/'license_index').glob('*'))

@pytest.fixture(scope='module')
def primed(tmp_path_factory):
    "(the cache file's name and bytes, the results) after a first process built and cached the index."
    home = tmp_path_factory.mktemp('cache')
    built, results = probed(home)
    (file,) = cached_files(home)
    assert built is False
    return file.name, file.read_bytes(), results

def primed_cache(home, primed):
    "A cache under `home` holding the primed index file."
    name, blob, _ = primed
    (home/'codelupe'/'license_index').mkdir(parents=True)
    (home/'codelupe'/'license_index'/name).write_bytes(blob)
    return home/'codelupe'/'license_index'/name

def test_cache_gives_the_same_results(tmp_path, primed):
    primed_cache(tmp_path, primed)
    hit, results = probed(tmp_path)
    assert hit is True and results == primed[2]
    assert [m['spdx'] for m in results['found'][0]] == ['MIT'] and results['found'][-1][0]['spdx'] == 'MIT'

@pytest.mark.parametrize('damage', ['empty', 'truncated', 'bit-flip', 'garbage', 'folder'])
def test_corrupt_cache_is_rebuilt_silently(tmp_path, primed, damage):
    file, blob = primed_cache(tmp_path, primed), primed[1]
    if damage == 'folder': file.unlink(); file.mkdir()   # not even a file: cannot be read nor replaced
    else: file.write_bytes({'empty': b'', 'truncated': blob[:len(blob) // 3], 'garbage': os.urandom(len(blob)),
                            'bit-flip': blob[:-100] + bytes([blob[-100] ^ 4]) + blob[-99:]}[damage])
    assert probed(tmp_path) == (False, primed[2])
    if damage != 'folder': assert probed(tmp_path) == (True, primed[2])   # rewritten whole

def test_stale_cache_is_not_used(tmp_path, primed):
    file = primed_cache(tmp_path, primed)
    file.rename(file.with_name('0' * 32 + '.bin'))   # a cache written by another version or for another index file
    assert probed(tmp_path) == (False, primed[2])
    assert len(cached_files(tmp_path)) == 2

def test_unwritable_cache_still_works(tmp_path, primed):
    (tmp_path/'codelupe').write_text('not a folder')
    assert probed(tmp_path) == (False, primed[2])

def test_concurrent_first_loads(tmp_path, primed):
    procs = [probe(tmp_path) for _ in range(3)]
    outs = [p.communicate(timeout=180) for p in procs]
    assert all(err == '' for _, err in outs), outs
    assert all(json.loads(out) == dict(from_cache=False, **primed[2]) for out, _ in outs)
    assert [p.suffix for p in cached_files(tmp_path)] == ['.bin']   # one file, no temporary file left behind
    assert probed(tmp_path) == (True, primed[2])
