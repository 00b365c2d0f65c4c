"What a regular install ships: the wheel holds the package, its license index and the demo corpus (as data files)."
import subprocess, sys, zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

def test_the_wheel_ships_the_license_index_and_the_whole_demo_corpus(tmp_path):
    done = subprocess.run([sys.executable, '-m', 'pip', 'wheel', '--no-deps', '--no-build-isolation', '-q', '-w', str(tmp_path), str(ROOT)],
                          capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    [wheel] = tmp_path.glob('codelupe-*.whl')
    names = zipfile.ZipFile(wheel).namelist()
    assert 'codelupe/data/license_index.json.gz' in names and 'codelupe/cli.py' in names
    prefix = next(n.split('/share/codelupe/demo/')[0] for n in names if '/share/codelupe/demo/' in n)
    shipped = sorted(n[len(prefix) + len('/share/codelupe/'):] for n in names if n.startswith(prefix + '/share/codelupe/demo/'))
    demo = sorted(p.relative_to(ROOT/'data').as_posix() for p in (ROOT/'data'/'demo').rglob('*') if p.is_file())
    assert shipped == demo   # `codelupe curate` outside a checkout reads the same corpus (core.demo_data_paths)
